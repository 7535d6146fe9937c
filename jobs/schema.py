"""The tables the scheduling machinery keeps in the database it is handed.

``jobs`` imports nothing of the hub, so its tables live on their own
``MetaData``: the hub creates them through its Alembic migration (so two
processes starting at once never race to create them), and anyone else using
``jobs`` calls ``ensure_schema``. Times are stored as timezone-aware UTC.

- ``job_lease``: who may run a named piece of work now (a pipeline, the
  scheduler leadership), until when, and a fencing number that grows with every
  new holder.
- ``job_state``: pause flags per job, written by any process, obeyed by the
  scheduler.
- ``job_request``: one-off runs asked for by people and webhooks, waiting for the
  scheduler; at most one pending request per key (a partial unique index), which
  absorbs repeats (debounce).
- ``apscheduler_jobs``: APScheduler's persistent job store (its own layout).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    TypeDecorator,
    Unicode,
    text,
)
from sqlalchemy.engine import Dialect

METADATA = MetaData()
JOBSTORE_TABLE = "apscheduler_jobs"


class UtcTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive times; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("jobs tables store aware datetimes only")
        value = value.astimezone(UTC)
        # SQLite compares times as text: store every one as naive UTC, the same shape.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """SQLite gives naive UTC back; make it aware."""
        if value is None:
            return None
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


RequestId = BigInteger().with_variant(Integer, "sqlite")

LEASE = Table(
    "job_lease",
    METADATA,
    Column("name", String(200), primary_key=True),
    Column("owner", String(120), nullable=True),
    Column("fence", BigInteger, nullable=False, default=0),
    Column("acquired_at", UtcTime, nullable=True),
    Column("heartbeat_at", UtcTime, nullable=True),
    Column("expires_at", UtcTime, nullable=True),
)

STATE = Table(
    "job_state",
    METADATA,
    Column("job_id", String(191), primary_key=True),
    Column("paused", Boolean, nullable=False, default=False),
    Column("reason", String(200), nullable=True),
    Column("changed_by", String(120), nullable=True),
    Column("changed_at", UtcTime, nullable=False),
)

REQUEST = Table(
    "job_request",
    METADATA,
    Column("id", RequestId, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False),
    Column("job_id", String(191), nullable=True),
    Column("lease", String(200), nullable=True),
    Column("target", String(200), nullable=False),
    Column("kwargs", JSON, nullable=False),
    Column("status", String(12), nullable=False),
    Column("hits", Integer, nullable=False, default=1),
    Column("requested_by", String(120), nullable=True),
    Column("created_at", UtcTime, nullable=False),
    Column("due_at", UtcTime, nullable=False),
    Column("dispatched_at", UtcTime, nullable=True),
    Column("dispatched_by", String(120), nullable=True),
    Index("ix_job_request_status_due", "status", "due_at"),
    Index(
        "uq_job_request_pending_key",
        "key",
        unique=True,
        postgresql_where=text("status = 'pending'"),
        sqlite_where=text("status = 'pending'"),
    ),
)

JOBSTORE = Table(
    JOBSTORE_TABLE,
    METADATA,
    # The layout APScheduler 3's SQLAlchemyJobStore creates for itself.
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)

TABLES = (LEASE, STATE, REQUEST, JOBSTORE)


def ensure_schema(engine: Engine) -> None:
    """Create whichever of the tables is missing (for users of ``jobs`` without migrations)."""
    METADATA.create_all(engine, checkfirst=True)
