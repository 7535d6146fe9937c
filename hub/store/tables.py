"""The store's bookkeeping tables (ARCHITECTURE section 3), beside the entity tables.

Links are one-to-one on both sides: a hub record has at most one twin per
connector instance, and a remote record belongs to at most one hub record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from hub.model.types import UtcDateTime

AutoId = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER keys


class Link(SQLModel, table=True):
    """A canonical record's twin in one connector instance, and what we last saw of it."""

    __tablename__ = "link"
    __table_args__ = (
        UniqueConstraint("entity", "hub_id", "connector", name="uq_link_hub_side"),
        UniqueConstraint("connector", "entity", "remote_id", name="uq_link_remote_side"),
        Index("ix_link_connector_stream", "connector", "stream"),
    )

    id: int | None = Field(
        default=None, sa_column=Column(AutoId, primary_key=True, autoincrement=True)
    )
    entity: str = Field(max_length=20)
    hub_id: str = Field(max_length=36)
    connector: str = Field(max_length=60)
    stream: str = Field(max_length=60)
    remote_id: str = Field(max_length=100)
    remote_key: str | None = Field(default=None, max_length=100)
    """An alternate key the vendor references records by (a document number)."""
    hash: str | None = Field(default=None, max_length=64)
    """Hash of the mapped canonical values last read from or written to the remote."""
    remote_version: str | None = Field(default=None, max_length=64)
    values: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    """Canonical values (JSON form) the remote is known to hold, per mapped field: the
    base of the three-way merge and of echo suppression."""
    raw: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    """The last raw vendor payload, for re-mapping without calling the vendor."""
    last_run_id: str | None = Field(default=None, max_length=36)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class WriteIntent(SQLModel, table=True):
    """A create about to be sent; present after a crash means "outcome unknown, look it up"."""

    __tablename__ = "write_intent"
    __table_args__ = (UniqueConstraint("connector", "entity", "hub_id", name="uq_write_intent"),)

    id: int | None = Field(
        default=None, sa_column=Column(AutoId, primary_key=True, autoincrement=True)
    )
    connector: str = Field(max_length=60)
    stream: str = Field(max_length=60)
    entity: str = Field(max_length=20)
    hub_id: str = Field(max_length=36)
    run_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(sa_type=UtcDateTime)


class Change(SQLModel, table=True):
    """Append-only log of canonical changes; push cursors are positions in it."""

    __tablename__ = "change"
    __table_args__ = (Index("ix_change_entity_seq", "entity", "seq"),)

    seq: int | None = Field(
        default=None, sa_column=Column(AutoId, primary_key=True, autoincrement=True)
    )
    entity: str = Field(max_length=20)
    hub_id: str = Field(max_length=36)
    version: int
    fields: list[str] = Field(default_factory=list, sa_type=JSON)
    source: str = Field(max_length=60)
    """Connector instance that brought the change, or ``hub``/``user:<name>``."""
    run_id: str | None = Field(default=None, max_length=36)
    at: datetime = Field(sa_type=UtcDateTime)


class Cursor(SQLModel, table=True):
    """Inbound watermark or push position per connector instance and stream."""

    __tablename__ = "cursor"

    connector: str = Field(primary_key=True, max_length=60)
    stream: str = Field(primary_key=True, max_length=60)
    direction: str = Field(primary_key=True, max_length=8)
    value: Any = Field(default=None, sa_type=JSON, nullable=True)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class Run(SQLModel, table=True):
    """One sync run of a pipeline: what it did and how it ended."""

    __tablename__ = "run"
    __table_args__ = (Index("ix_run_pipeline_started", "pipeline", "started_at"),)

    id: str = Field(primary_key=True, max_length=36)
    pipeline: str = Field(max_length=60)
    status: str = Field(max_length=20, index=True)
    """running, succeeded, partial (some records dead-lettered), failed."""
    trigger: str = Field(default="manual", max_length=20)
    dry_run: bool = False
    full: bool = False
    holder: str | None = Field(default=None, max_length=120)
    started_at: datetime = Field(sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    requests: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    error: str | None = Field(default=None, sa_type=Text)


class RunEvent(SQLModel, table=True):
    """A notable moment of a run (stream started, page stored, error), for live progress."""

    __tablename__ = "run_event"

    id: int | None = Field(
        default=None, sa_column=Column(AutoId, primary_key=True, autoincrement=True)
    )
    run_id: str = Field(max_length=36, index=True)
    at: datetime = Field(sa_type=UtcDateTime)
    stream: str | None = Field(default=None, max_length=120)
    level: str = Field(default="info", max_length=10)
    kind: str = Field(max_length=30)
    message: str = Field(default="", sa_type=Text)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class DeadLetter(SQLModel, table=True):
    """A record that failed a stage, with everything needed to retry it."""

    __tablename__ = "dead_letter"
    __table_args__ = (Index("ix_dead_letter_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(
        default=None, sa_column=Column(AutoId, primary_key=True, autoincrement=True)
    )
    run_id: str | None = Field(default=None, max_length=36)
    pipeline: str | None = Field(default=None, max_length=60)
    connector: str = Field(max_length=60)
    stream: str = Field(max_length=60)
    entity: str = Field(max_length=20)
    direction: str = Field(max_length=8)
    stage: str = Field(max_length=20)
    """read, map, validate, match, write."""
    remote_id: str | None = Field(default=None, max_length=100)
    hub_id: str | None = Field(default=None, max_length=36)
    error: str = Field(sa_type=Text)
    field: str | None = Field(default=None, max_length=100)
    payload: Any = Field(default=None, sa_type=JSON, nullable=True)
    attempts: int = 1
    status: str = Field(default="open", max_length=12)
    """open, resolved, discarded."""
    first_seen: datetime = Field(sa_type=UtcDateTime)
    last_attempt: datetime = Field(sa_type=UtcDateTime)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Conflict(SQLModel, table=True):
    """Edits that cannot be settled by rule, held for a person with both values."""

    __tablename__ = "conflict"
    __table_args__ = (Index("ix_conflict_status", "status", "entity"),)

    id: int | None = Field(
        default=None, sa_column=Column(AutoId, primary_key=True, autoincrement=True)
    )
    kind: str = Field(max_length=20)
    """field (changed on both sides) or match (ambiguous twin)."""
    entity: str = Field(max_length=20)
    hub_id: str | None = Field(default=None, max_length=36)
    field: str | None = Field(default=None, max_length=100)
    connector: str | None = Field(default=None, max_length=60)
    remote_id: str | None = Field(default=None, max_length=100)
    values: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    """Candidate values by source (``hub``, connector instance names)."""
    status: str = Field(default="open", max_length=12)
    resolution: Any = Field(default=None, sa_type=JSON, nullable=True)
    resolved_by: str | None = Field(default=None, max_length=100)
    resolved_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    run_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(sa_type=UtcDateTime)


class Audit(SQLModel, table=True):
    """Who changed configuration, credentials or mappings, or resolved what, and when."""

    __tablename__ = "audit"

    id: int | None = Field(
        default=None, sa_column=Column(AutoId, primary_key=True, autoincrement=True)
    )
    at: datetime = Field(sa_type=UtcDateTime, index=True)
    actor: str = Field(max_length=100)
    action: str = Field(max_length=60)
    target: str = Field(default="", max_length=200)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


STORE_TABLES = (Link, WriteIntent, Change, Cursor, Run, RunEvent, DeadLetter, Conflict, Audit)
