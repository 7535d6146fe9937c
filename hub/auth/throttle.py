"""Login throttling: after repeated failures a user name (or client address) is locked a while.

Counts live in the store, so every web process shares them. The lock is checked
before the password, so a locked account answers the same to a right and a wrong
password and guessing gains nothing while it lasts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update

from hub.auth.tables import LoginFailure

FAIL = LoginFailure.__table__  # type: ignore[attr-defined]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class LoginThrottle:
    """Failures per key within ``window``; ``limit`` of them lock the key for ``lockout``."""

    engine: Engine
    user_limit: int = 5
    address_limit: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)
    clock: Callable[[], datetime] = _now

    @staticmethod
    def keys(name: str, address: str | None) -> list[str]:
        """The keys one attempt counts against: the user name and the client address."""
        keys = [f"user:{name.strip().lower()[:150]}"]
        if address:
            keys.append(f"addr:{address[:150]}")
        return keys

    def locked_until(self, keys: list[str]) -> datetime | None:
        """When the latest lock on any of ``keys`` ends, if one is in force now."""
        now = self.clock()
        with self.engine.connect() as conn:
            ends = [
                r.locked_until
                for r in conn.execute(select(FAIL.c.locked_until).where(FAIL.c.key.in_(keys)))
                if r.locked_until is not None and r.locked_until > now
            ]
        return max(ends) if ends else None

    def failed(self, keys: list[str]) -> None:
        """Count a failed attempt against each key, locking those that reach their limit."""
        now = self.clock()
        with self.engine.begin() as conn:
            for key in keys:
                limit = self.user_limit if key.startswith("user:") else self.address_limit
                row = conn.execute(select(FAIL).where(FAIL.c.key == key)).first()
                if row is None or now - row.first_at > self.window:
                    conn.execute(delete(FAIL).where(FAIL.c.key == key))
                    conn.execute(insert(FAIL).values(key=key, failures=1, first_at=now))
                    continue
                failures = row.failures + 1
                values: dict[str, object] = {"failures": failures}
                if failures >= limit:
                    values.update(failures=0, first_at=now, locked_until=now + self.lockout)
                conn.execute(update(FAIL).where(FAIL.c.key == key).values(**values))

    def succeeded(self, name: str) -> None:
        """A right password outside a lock forgives the user name's earlier failures."""
        with self.engine.begin() as conn:
            conn.execute(delete(FAIL).where(FAIL.c.key == self.keys(name, None)[0]))
