"""One-off runs waiting for the scheduler: asked for by a person, a webhook, a busy retry.

Any process may ``submit``; only the scheduler leader ``claim``s. A request has a
key (``pipeline:crm-erp``); while one request of a key is pending, submitting the
key again only counts a hit on it, so a burst of notifications becomes one run
(the first submission fixes when it is due, later ones do not push it back, so
a steady stream still runs once per debounce window). The partial unique index
on pending keys makes this hold across processes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jobs.leases import Clock, utcnow
from jobs.references import check_arguments
from jobs.schema import REQUEST

PENDING, DISPATCHED = "pending", "dispatched"
KEEP_DISPATCHED = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Request:
    """A queued one-off run."""

    id: int
    key: str
    target: str
    kwargs: dict[str, Any]
    job_id: str | None
    lease: str | None
    hits: int
    requested_by: str | None
    created_at: datetime
    due_at: datetime


class RequestQueue:
    """The ``job_request`` table of ``engine``; see the module docstring."""

    def __init__(self, engine: Engine, *, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.clock = clock
        self._insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

    def submit(
        self,
        key: str,
        target: str,
        kwargs: Mapping[str, Any] | None = None,
        *,
        delay: float = 0.0,
        job_id: str | None = None,
        lease: str | None = None,
        requested_by: str | None = None,
    ) -> Request:
        """Queue a run of ``target`` due in ``delay`` seconds, or count a hit on the pending one.

        ``job_id``: hold the request while that job is paused. ``lease``: hold it
        while that lease is held (the work is running elsewhere).
        """
        now = self.clock()
        statement = self._insert(REQUEST).values(
            key=key,
            job_id=job_id,
            lease=lease,
            target=target,
            kwargs=check_arguments(kwargs or {}),
            status=PENDING,
            hits=1,
            requested_by=requested_by,
            created_at=now,
            due_at=now + timedelta(seconds=delay),
        )
        statement = statement.on_conflict_do_update(
            index_elements=[REQUEST.c.key],
            # a literal, so PostgreSQL can match it to the partial index's predicate
            index_where=text("status = 'pending'"),
            set_={"hits": REQUEST.c.hits + 1},
        )
        with self.engine.begin() as conn:
            conn.execute(statement)
            row = conn.execute(
                select(REQUEST).where(REQUEST.c.key == key, REQUEST.c.status == PENDING)
            ).one()
        return _request(dict(row._mapping))

    def due(self, *, limit: int = 100) -> list[Request]:
        """Pending requests whose time has come, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(REQUEST)
                .where(REQUEST.c.status == PENDING, REQUEST.c.due_at <= self.clock())
                .order_by(REQUEST.c.due_at, REQUEST.c.id)
                .limit(limit)
            ).mappings()
            return [_request(dict(r)) for r in rows]

    def pending(self, *, key_prefix: str = "") -> list[Request]:
        """Every pending request (due or not) whose key starts with ``key_prefix``."""
        query = select(REQUEST).where(REQUEST.c.status == PENDING)
        if key_prefix:
            query = query.where(REQUEST.c.key.startswith(key_prefix, autoescape=True))
        with self.engine.connect() as conn:
            return [
                _request(dict(r)) for r in conn.execute(query.order_by(REQUEST.c.id)).mappings()
            ]

    def claim(self, request: Request, *, claimer: str) -> bool:
        """Mark ``request`` dispatched by ``claimer``; False if someone else already did."""
        now = self.clock()
        with self.engine.begin() as conn:
            done = conn.execute(
                update(REQUEST)
                .where(REQUEST.c.id == request.id, REQUEST.c.status == PENDING)
                .values(status=DISPATCHED, dispatched_at=now, dispatched_by=claimer)
            ).rowcount
            conn.execute(
                delete(REQUEST).where(
                    REQUEST.c.status == DISPATCHED, REQUEST.c.dispatched_at < now - KEEP_DISPATCHED
                )
            )
        return bool(done)

    def postpone(self, request: Request, seconds: float) -> None:
        """Move a pending request's due time ``seconds`` past now (its lease is busy)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(REQUEST)
                .where(REQUEST.c.id == request.id, REQUEST.c.status == PENDING)
                .values(due_at=self.clock() + timedelta(seconds=seconds))
            )


def _request(row: dict[str, Any]) -> Request:
    return Request(
        id=row["id"],
        key=row["key"],
        target=row["target"],
        kwargs=dict(row["kwargs"] or {}),
        job_id=row["job_id"],
        lease=row["lease"],
        hits=row["hits"],
        requested_by=row["requested_by"],
        created_at=row["created_at"],
        due_at=row["due_at"],
    )
