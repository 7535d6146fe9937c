"""Cash-flow forecast: expected receipts by week and by month for the next six months.

Two sources, and the assumptions each rests on (shown on the page and in exports):

1. Open invoices: the open balance (gross + reversals - payments) is expected on
   the invoice's due date; an invoice already past due is expected today.
2. Milestones not yet invoiced (the first-in-first-out allocation of
   ``hub.finance.milestones``) of signed contracts: the uninvoiced value plus VAT
   at the contract's rate is expected ``payment_days`` after the milestone's due
   date, or after today when that date has passed. Milestones without a due date
   cannot be placed and are counted apart.

SQL sums the amounts per expected date (a few hundred rows at most); folding those
dates into weeks (Monday to Sunday) and months happens on that small result.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Connection, select

from hub.finance.revenue import next_month
from hub.finance.snapshot import ensure
from hub.finance.sql import Sql, as_date, money
from hub.finance.tables_figures import FORECAST_DAY

HORIZON_MONTHS = 6


@dataclass(frozen=True)
class Period:
    """One week or month of the forecast."""

    key: str
    start: date
    end: date  # inclusive
    invoices: Decimal = Decimal("0.00")
    milestones: Decimal = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        """Expected receipts of the period."""
        return self.invoices + self.milestones


@dataclass(frozen=True)
class Forecast:
    """Weeks and months from today to the end of the horizon, and what lies outside it."""

    today: date
    horizon_end: date
    weeks: list[Period]
    months: list[Period]
    overdue_invoices: Decimal
    """Part of the first period: open balances already past due."""
    beyond_horizon: Decimal
    undated_milestones: int
    undated_value: Decimal
    payment_days: int
    assumptions: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        """Expected receipts within the horizon."""
        return sum((m.total for m in self.months), Decimal("0.00"))


def horizon(today: date, months: int = HORIZON_MONTHS) -> tuple[list[date], date]:
    """Month starts of the horizon (current month first) and its last day."""
    starts = [today.replace(day=1)]
    for _ in range(months - 1):
        starts.append(next_month(starts[-1]))
    return starts, next_month(starts[-1]) - timedelta(days=1)


def cash_forecast(conn: Connection, sql: Sql, today: date, *, payment_days: int) -> Forecast:
    """The forecast as of ``today`` (see module docstring for the rules)."""
    starts, end = horizon(today)
    ensure(conn, sql, today)
    by_day_invoices, overdue = _invoice_receipts(conn, today)
    by_day_ms, undated, undated_value = _milestone_receipts(conn, today, payment_days)
    weeks = _periods(_week_bounds(today, end), by_day_invoices, by_day_ms)
    months = _periods(
        [(s.strftime("%Y-%m"), max(s, today), next_month(s) - timedelta(days=1)) for s in starts],
        by_day_invoices,
        by_day_ms,
    )
    beyond = sum(v for d, v in _merge(by_day_invoices, by_day_ms).items() if d > end)
    return Forecast(
        today=today,
        horizon_end=end,
        weeks=weeks,
        months=months,
        overdue_invoices=money(overdue),
        beyond_horizon=money(beyond),
        undated_milestones=undated,
        undated_value=money(undated_value),
        payment_days=payment_days,
        assumptions=assumptions(payment_days),
    )


def assumptions(payment_days: int) -> list[str]:
    """The rules the forecast rests on, in words, for the page and the exports."""
    return [
        "Open invoices are collected in full on their due date (issue date when none is set).",
        "Invoices already past due are expected today, in the first week and month.",
        f"Milestones not yet invoiced are invoiced on their due date and paid {payment_days} "
        "days later, with VAT at the contract's rate; past-due milestones from today.",
        "Invoices are allocated to a contract's milestones in milestone order (first in, first out).",
        "Draft and in-approval contracts, accepted-and-invoiced milestones and void invoices are left out.",
        "Milestones without a due date cannot be placed in time and are listed apart.",
    ]


def _invoice_receipts(conn: Connection, today: date) -> tuple[dict[date, int], int]:
    """Open balances by expected day, and the part already past due (from the snapshot)."""
    fd = FORECAST_DAY
    rows = conn.execute(
        select(fd.c.day, fd.c.late, fd.c.amount).where(fd.c.source == "invoice")
    ).all()
    result: dict[date, int] = defaultdict(int)
    overdue = 0
    for day, is_late, amount in rows:
        result[as_date(day) or today] += int(amount)
        overdue += int(amount) if is_late else 0
    return dict(result), overdue


def _milestone_receipts(
    conn: Connection, today: date, payment_days: int
) -> tuple[dict[date, int], int, int]:
    """Uninvoiced milestones (with VAT) by expected day, and the undated ones apart."""
    fd = FORECAST_DAY
    rows = conn.execute(
        select(fd.c.day, fd.c.amount, fd.c["items"]).where(fd.c.source == "milestone")
    ).all()
    shift = timedelta(days=payment_days)
    result: dict[date, int] = defaultdict(int)
    undated = undated_value = 0
    for day, amount, items in rows:
        base = as_date(day)
        if base is None:
            undated, undated_value = undated + int(items), undated_value + int(amount)
        else:
            result[base + shift] += int(amount)
    return dict(result), undated, undated_value


def _week_bounds(today: date, end: date) -> list[tuple[str, date, date]]:
    monday = today - timedelta(days=today.weekday())
    bounds = []
    while monday <= end:
        sunday = monday + timedelta(days=6)
        iso = monday.isocalendar()
        bounds.append((f"{iso.year}-W{iso.week:02d}", max(monday, today), min(sunday, end)))
        monday += timedelta(days=7)
    return bounds


def _merge(*sources: dict[date, int]) -> dict[date, int]:
    merged: dict[date, int] = defaultdict(int)
    for source in sources:
        for day, amount in source.items():
            merged[day] += amount
    return merged


def _periods(
    bounds: list[tuple[str, date, date]], invoices: dict[date, int], milestones: dict[date, int]
) -> list[Period]:
    periods = []
    for key, start, stop in bounds:
        inv = sum(v for d, v in invoices.items() if start <= d <= stop)
        ms = sum(v for d, v in milestones.items() if start <= d <= stop)
        periods.append(Period(key, start, stop, money(inv), money(ms)))
    return periods
