"""Engines for the two supported stores, with the settings each needs to be safe.

SQLite: WAL (readers never block the writer), foreign keys on, a busy timeout
so a second process waits instead of failing. PostgreSQL: pre-ping, and an
optional schema (``search_path``) so test runs never collide.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dump_json(value: Any) -> str:
    """JSON column text, written with orjson.

    A sync stores several JSON values per record (raw payloads, last-synced values,
    provenance); the standard library's encoder was a tenth of a pull's CPU time.
    """
    return orjson.dumps(value, default=_json_default).decode()


def load_json(text: Any) -> Any:
    """JSON column value; SQLite hands back bare numbers natively (numeric affinity)."""
    if isinstance(text, int | float):
        return text
    return orjson.loads(text)


def make_engine(url: str, *, schema: str | None = None, echo: bool = False) -> Engine:
    """An engine for ``url`` configured for this hub (see module docstring)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo=echo)
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        connect_args=connect_args,
        json_serializer=dump_json,
        json_deserializer=load_json,
    )


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": 30, "check_same_thread": False},
        json_serializer=dump_json,
        json_deserializer=load_json,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # 40 MB between checkpoints: a tenth of the checkpoint fsyncs of bulk pulls
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.close()

    return engine
