"""Pause flags per job, in the database so every process sees the same answer.

A web process or the command line sets a flag; the scheduler leader applies it
to its in-memory schedule on its next poll, and every run checks it when it
starts, so a pause takes effect at once even before that poll.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jobs.leases import Clock, utcnow
from jobs.schema import STATE


@dataclass(frozen=True, slots=True)
class Flag:
    """A job's pause flag and who set it."""

    job_id: str
    paused: bool
    reason: str | None
    changed_by: str | None
    changed_at: datetime


class JobFlags:
    """The ``job_state`` table of ``engine``."""

    def __init__(self, engine: Engine, *, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.clock = clock
        self._insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

    def set_paused(
        self, job_id: str, paused: bool, *, by: str | None = None, reason: str | None = None
    ) -> None:
        """Pause or resume ``job_id``."""
        values = {
            "paused": paused,
            "reason": reason,
            "changed_by": by,
            "changed_at": self.clock(),
        }
        statement = self._insert(STATE).values(job_id=job_id, **values)
        statement = statement.on_conflict_do_update(index_elements=[STATE.c.job_id], set_=values)
        with self.engine.begin() as conn:
            conn.execute(statement)

    def is_paused(self, job_id: str) -> bool:
        """Whether ``job_id`` is paused (unknown jobs are not)."""
        with self.engine.connect() as conn:
            value = conn.execute(select(STATE.c.paused).where(STATE.c.job_id == job_id)).scalar()
        return bool(value)

    def all(self) -> dict[str, Flag]:
        """Every flag by job id."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(STATE)).mappings()
            return {r["job_id"]: Flag(**dict(r)) for r in rows}
