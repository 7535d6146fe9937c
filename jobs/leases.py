"""Leases: a named right to do some work, held by one owner until it expires.

A lease row per name (a pipeline, the scheduler leadership) records its owner,
when it was taken, the last heartbeat and the expiry. Taking it is atomic: on
PostgreSQL the row is locked (``SELECT ... FOR UPDATE``) for the decision, on
SQLite the decision runs inside one ``BEGIN IMMEDIATE`` writer transaction, so
two processes asking at once never both win. A holder renews while it works; a
holder that dies stops renewing, the lease expires, and the next taker is told
whose lease it took over (``Lease.previous_owner``) so it can clean up after it.

``fence`` grows by one with every new holder: a holder that stalled past its
expiry finds its renewals refused and must stop, since someone else may now
hold a newer fence.

Expiry is judged by the clock of the process asking; hosts sharing a database
keep their clocks in sync (NTP), with skew far below the lease period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jobs.schema import LEASE

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The default clock: aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class LeaseInfo:
    """Who holds a lease and until when (what a refusal and a status page show)."""

    name: str
    owner: str
    fence: int
    acquired_at: datetime
    heartbeat_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Lease:
    """A lease this process holds; pass it back to ``renew`` and ``release``."""

    name: str
    owner: str
    fence: int
    ttl: float
    expires_at: datetime
    previous_owner: str | None = None
    """The holder whose expired lease this one took over (it died or stalled)."""
    previous_expired_at: datetime | None = None


class LeaseHeld(Exception):
    """Someone else holds the lease; the message names the holder and the expiry."""

    def __init__(self, holder: LeaseInfo) -> None:
        self.holder = holder
        super().__init__(
            f"{holder.name} is held by {holder.owner} "
            f"(since {holder.acquired_at:%Y-%m-%d %H:%M:%S} UTC, "
            f"lease expires {holder.expires_at:%H:%M:%S} UTC unless renewed)"
        )


class LeaseLost(Exception):
    """A held lease could not be renewed: it expired and may belong to someone else now."""

    def __init__(self, lease: Lease) -> None:
        self.lease = lease
        super().__init__(
            f"lease {lease.name} of {lease.owner} expired at "
            f"{lease.expires_at:%H:%M:%S} UTC while its work ran"
        )


class LeaseManager:
    """Takes, renews, releases and reports leases in the ``job_lease`` table of ``engine``."""

    def __init__(self, engine: Engine, *, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.clock = clock
        dialect = engine.dialect.name
        if dialect not in ("postgresql", "sqlite"):
            raise ValueError(f"leases need PostgreSQL or SQLite, not {dialect}")
        self._postgres = dialect == "postgresql"

    def acquire(self, name: str, owner: str, ttl: float) -> Lease:
        """Take ``name`` for ``ttl`` seconds, or raise ``LeaseHeld`` naming the live holder.

        Asking again with the same ``owner`` while holding it renews it (a retry
        after a lost answer is harmless); owners are therefore unique per attempt.
        """
        with self.engine.connect() as conn:
            row = self._lock_row(conn, name)
            now = self.clock()
            alive = row["owner"] is not None and row["expires_at"] and row["expires_at"] > now
            if alive and row["owner"] != owner:
                conn.rollback()
                raise LeaseHeld(_info(row))
            same = row["owner"] == owner
            previous = row["owner"] if row["owner"] is not None and not same else None
            fence = row["fence"] if same else row["fence"] + 1
            expires = now + timedelta(seconds=ttl)
            conn.execute(
                update(LEASE)
                .where(LEASE.c.name == name)
                .values(
                    owner=owner,
                    fence=fence,
                    acquired_at=row["acquired_at"] if same else now,
                    heartbeat_at=now,
                    expires_at=expires,
                )
            )
            conn.commit()
        return Lease(
            name,
            owner,
            fence,
            ttl,
            expires,
            previous_owner=previous,
            previous_expired_at=row["expires_at"] if previous else None,
        )

    def try_acquire(self, name: str, owner: str, ttl: float) -> Lease | None:
        """``acquire``, or ``None`` when someone else holds it."""
        try:
            return self.acquire(name, owner, ttl)
        except LeaseHeld:
            return None

    def renew(self, lease: Lease) -> Lease | None:
        """Push the expiry ``lease.ttl`` seconds past now; ``None`` if the lease was lost."""
        now = self.clock()
        expires = now + timedelta(seconds=lease.ttl)
        with self.engine.begin() as conn:
            done = conn.execute(
                update(LEASE)
                .where(
                    LEASE.c.name == lease.name,
                    LEASE.c.owner == lease.owner,
                    LEASE.c.fence == lease.fence,
                )
                .values(heartbeat_at=now, expires_at=expires)
            ).rowcount
        if not done:
            return None
        return Lease(lease.name, lease.owner, lease.fence, lease.ttl, expires)

    def release(self, lease: Lease) -> bool:
        """Give the lease up at once (only if still ours); True if it was."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(LEASE)
                .where(
                    LEASE.c.name == lease.name,
                    LEASE.c.owner == lease.owner,
                    LEASE.c.fence == lease.fence,
                )
                .values(owner=None, heartbeat_at=None, expires_at=None)
            ).rowcount
        return bool(done)

    def holder(self, name: str) -> LeaseInfo | None:
        """The live holder of ``name``, or ``None`` when free or expired."""
        return self.holders(names=[name]).get(name)

    def holders(self, *, prefix: str = "", names: list[str] | None = None) -> dict[str, LeaseInfo]:
        """Live holders by lease name, of names starting with ``prefix`` (or of ``names``)."""
        query = select(LEASE).where(LEASE.c.owner.is_not(None))
        if names is not None:
            query = query.where(LEASE.c.name.in_(names))
        elif prefix:
            query = query.where(LEASE.c.name.startswith(prefix, autoescape=True))
        now = self.clock()
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        return {r["name"]: _info(r) for r in rows if r["expires_at"] and r["expires_at"] > now}

    def _lock_row(self, conn: Connection, name: str) -> dict[str, Any]:
        """Begin the deciding transaction with the lease row locked (created if new)."""
        if self._postgres:
            conn.execute(pg_insert(LEASE).values(name=name, fence=0).on_conflict_do_nothing())
            row = conn.execute(select(LEASE).where(LEASE.c.name == name).with_for_update()).one()
        else:
            # One writer at a time: take SQLite's write lock before reading.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.execute(sqlite_insert(LEASE).values(name=name, fence=0).on_conflict_do_nothing())
            row = conn.execute(select(LEASE).where(LEASE.c.name == name)).one()
        return dict(row._mapping)


def _info(row: dict[str, Any]) -> LeaseInfo:
    return LeaseInfo(
        name=row["name"],
        owner=row["owner"],
        fence=row["fence"],
        acquired_at=row["acquired_at"],
        heartbeat_at=row["heartbeat_at"],
        expires_at=row["expires_at"],
    )
