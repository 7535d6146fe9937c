"""The sandbox's database: ZenTao's tables as dicts of rows in ZenTao's own column shapes.

Rows are kept the way ZenTao's MySQL holds them (server-local naive times,
``0000-00-00`` for "no date", ``deleted`` as ``"0"``/``"1"``, users as account
names) so that ``render`` can reproduce exactly which fields an endpoint
converts and which it passes on raw.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

ZERO_TIME = "0000-00-00 00:00:00"
ZERO_DATE = "0000-00-00"
TABLES = ("users", "products", "projects", "executions", "stories", "tasks", "plans")


@dataclass(slots=True)
class Session:
    """A logged-in PHP session; the token is its id."""

    account: str
    last_seen: datetime


@dataclass(slots=True)
class Store:
    """All tables, id counters, sessions and login-failure counters of one sandbox."""

    zone: ZoneInfo
    tables: dict[str, dict[int, dict[str, Any]]] = field(
        default_factory=lambda: {name: {} for name in TABLES}
    )
    next_ids: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 1))
    project_products: dict[int, list[int]] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    fails: dict[str, int] = field(default_factory=dict)
    locked_until: dict[str, datetime] = field(default_factory=dict)

    # -- rows ----------------------------------------------------------------------------
    def insert(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """Store ``row`` under the next id of ``table`` (ZenTao ids are per table)."""
        row_id = self.next_ids[table]
        self.next_ids[table] += 1
        stored = {"id": row_id, **{k: v for k, v in row.items() if k != "id"}}
        self.tables[table][row_id] = stored
        return stored

    def get(self, table: str, row_id: Any) -> dict[str, Any] | None:
        """A row by id (deleted rows included, as ZenTao's getByID does)."""
        try:
            return self.tables[table].get(int(row_id))
        except (TypeError, ValueError):
            return None

    def live(self, table: str) -> list[dict[str, Any]]:
        """Rows not soft-deleted, in id order."""
        return [r for _, r in sorted(self.tables[table].items()) if r.get("deleted") != "1"]

    def clear(self, table: str) -> None:
        """Drop every row of ``table`` (the id counter goes on, as AUTO_INCREMENT does)."""
        self.tables[table].clear()

    # -- time ------------------------------------------------------------------------------
    def local(self, moment: datetime) -> str:
        """An aware instant as the server stores it: local, naive, to the second."""
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S")

    def parse_local(self, text: Any) -> datetime | None:
        """A stored local time as an aware datetime; zero or blank is ``None``."""
        if not text or str(text).startswith("0000-00-00"):
            return None
        try:
            return datetime.fromisoformat(str(text)).replace(tzinfo=self.zone)
        except ValueError:
            return None

    # -- sessions -------------------------------------------------------------------------
    def open_session(self, account: str, now: datetime) -> str:
        """A new session id, 26 characters of [a-z0-9] like PHP's."""
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        token = "".join(secrets.choice(alphabet) for _ in range(26))
        self.sessions[token] = Session(account, now)
        return token

    def session(self, token: str | None, now: datetime, ttl: float) -> Session | None:
        """The live session of ``token``, touched; an idle one past ``ttl`` is destroyed."""
        if not token:
            return None
        found = self.sessions.get(token)
        if found is None:
            return None
        if now - found.last_seen > timedelta(seconds=ttl):
            del self.sessions[token]
            return None
        found.last_seen = now
        return found


def hours(value: Any) -> Decimal:
    """An hours column as Decimal (ZenTao stores floats; we keep them exact)."""
    try:
        return Decimal(str(value if value not in (None, "") else 0))
    except ArithmeticError:
        return Decimal(0)
