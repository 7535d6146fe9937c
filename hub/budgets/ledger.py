"""Where budget usage is kept and what it means: ok, slow down, or pause until renewal.

Usage is counted per connector instance and budget day (midnight to midnight in
the business time zone) in the ``api_budget`` table, so every worker adds to
and reads the same count. A vendor that reports its own quota (rate-limit
headers) is believed too: the tighter of the hub's count and the vendor's
report decides, and the vendor's reset time, when given, is when it renews.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connectors.sdk.budget import VendorQuota
from hub.budgets.settings import BudgetSettings
from hub.budgets.tables import ApiBudget
from hub.settings import Settings

BUDGET = ApiBudget.__table__  # type: ignore[attr-defined]
State = Literal["ok", "slow", "paused"]


@dataclass(frozen=True, slots=True)
class BudgetState:
    """One instance's budget right now, and the sentence that explains it."""

    connector: str
    used: int
    limit: int
    state: State
    reason: str
    resets_at: datetime
    fraction: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (what ``jobs list`` and the web app show)."""
        return {
            "connector": self.connector,
            "used": self.used,
            "limit": self.limit,
            "state": self.state,
            "reason": self.reason,
            "resets_at": self.resets_at.isoformat(),
        }


def window_start(now: datetime, zone: ZoneInfo) -> datetime:
    """Start of the budget day containing ``now`` (local midnight), in UTC."""
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time(0), tzinfo=zone).astimezone(UTC)


def evaluate(
    connector: str,
    budget: BudgetSettings,
    used: int,
    row: dict[str, Any] | None,
    now: datetime,
    zone: ZoneInfo,
) -> BudgetState:
    """The state of a budget given the hub's count and the vendor's last report in ``row``."""
    start = window_start(now, zone)
    resets = datetime.combine(
        start.astimezone(zone).date() + timedelta(days=1), time(0), tzinfo=zone
    ).astimezone(UTC)
    fraction = used / budget.daily_limit
    shown_used, shown_limit = used, budget.daily_limit
    if row is not None and _vendor_fresh(row, now):
        remaining, limit = row["vendor_remaining"], row["vendor_limit"]
        if remaining is not None and limit:
            vendor_fraction = 1 - remaining / limit
            if vendor_fraction > fraction:
                fraction, shown_used, shown_limit = vendor_fraction, limit - remaining, limit
                resets = row["vendor_reset_at"] or resets
    pause_at = 1 - budget.reserve
    state: State = (
        "paused" if fraction >= pause_at else "slow" if fraction >= budget.slow_at else "ok"
    )
    reason = f"{connector}: {shown_used} of {shown_limit} requests used"
    if state == "paused":
        reason += (
            f"; paused until {resets.astimezone(zone):%Y-%m-%d %H:%M} {zone.key} "
            f"({budget.reserve:.0%} kept in reserve)"
        )
    elif state == "slow":
        reason += f"; slowed down (up to {budget.max_delay_seconds:g} s between requests)"
    return BudgetState(connector, shown_used, shown_limit, state, reason, resets, fraction)


def _vendor_fresh(row: dict[str, Any], now: datetime) -> bool:
    reset = row.get("vendor_reset_at")
    return row.get("vendor_seen_at") is not None and (reset is None or reset > now)


def delay_for(budget: BudgetSettings, state: BudgetState) -> float:
    """Seconds to wait before a request: none when ok, ramping up to the maximum when slow."""
    if state.state != "slow":
        return 0.0
    span = (1 - budget.reserve) - budget.slow_at
    return budget.max_delay_seconds * min(1.0, (state.fraction - budget.slow_at) / span)


class BudgetLedger:
    """Reads and adds to the ``api_budget`` rows of ``engine``."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self._insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

    def state(self, connector: str, *, extra: int = 0) -> BudgetState | None:
        """The budget state of ``connector`` (counting ``extra`` unflushed requests).

        ``None`` when the instance has no budget.
        """
        return self.judge(connector, self.snapshot(connector), extra=extra)

    def snapshot(self, connector: str) -> dict[str, Any] | None:
        """This window's stored row of ``connector`` (``None``: nothing spent yet)."""
        return self._row(connector, window_start(self.clock(), self.settings.zone))

    def judge(
        self, connector: str, row: dict[str, Any] | None, *, extra: int = 0
    ) -> BudgetState | None:
        """The budget state given a ``snapshot`` row and ``extra`` requests not yet in it."""
        budget = self.settings.budgets.get(connector)
        if budget is None:
            return None
        now = self.clock()
        if row is not None and row["window_start"] != window_start(now, self.settings.zone):
            row = None  # the snapshot is of a day that has ended
        used = (row["used"] if row else 0) + extra
        return evaluate(connector, budget, used, row, now, self.settings.zone)

    def add(self, connector: str, requests: int, quota: VendorQuota | None = None) -> None:
        """Count ``requests`` more for ``connector`` and keep the vendor's latest report."""
        now = self.clock()
        start = window_start(now, self.settings.zone)
        vendor: dict[str, Any] = {}
        if quota is not None:
            vendor = {
                "vendor_remaining": quota.remaining,
                "vendor_limit": quota.limit,
                "vendor_reset_at": quota.resets_at,
                "vendor_seen_at": now,
            }
        statement = self._insert(BUDGET).values(
            connector=connector, window_start=start, used=requests, updated_at=now, **vendor
        )
        statement = statement.on_conflict_do_update(
            index_elements=[BUDGET.c.connector, BUDGET.c.window_start],
            set_={"used": BUDGET.c.used + requests, "updated_at": now, **vendor},
        )
        with self.engine.begin() as conn:
            conn.execute(statement)

    def _row(self, connector: str, start: datetime) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(BUDGET).where(
                        BUDGET.c.connector == connector, BUDGET.c.window_start == start
                    )
                )
                .mappings()
                .first()
            )
        return dict(row) if row else None
