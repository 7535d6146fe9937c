"""The canonical store: engines, bookkeeping tables and migrations."""

from hub.store.engine import make_engine
from hub.store.migrate import current_revision, upgrade
from hub.store.tables import (
    STORE_TABLES,
    Audit,
    Change,
    Conflict,
    Cursor,
    DeadLetter,
    Link,
    Run,
    RunEvent,
    WriteIntent,
)

__all__ = [
    "STORE_TABLES",
    "Audit",
    "Change",
    "Conflict",
    "Cursor",
    "DeadLetter",
    "Link",
    "Run",
    "RunEvent",
    "WriteIntent",
    "current_revision",
    "make_engine",
    "upgrade",
]
