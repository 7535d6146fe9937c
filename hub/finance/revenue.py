"""Revenue recognised by month and contract type, next to what was invoiced and collected.

CAS 14 (aligned with IFRS 15) recognises revenue when a performance obligation is
satisfied. The rules applied here, per contract type:

- technical development, technical consulting, product licence: at a point in
  time, when a milestone is **accepted**; the month is the month of ``accepted_at``
  in the business time zone; the value is the milestone's amount, or its percent
  of the contract amount rounded half-up to the cent.
- operations service with a start and end date: **over time, ratably by day**
  over the contract term, up to and including today. Cumulative revenue through a
  day is ``round_half_up(amount x elapsed days / term days)`` and a month's revenue
  is the difference of two cumulative figures, so the months always add up to the
  contract amount exactly. Their milestones are billing events and recognise
  nothing (counting both would double the revenue). An operations contract
  without a term falls back to milestone acceptance.

Contract and milestone amounts are taken as net of VAT (the seed data and the
invoices' net amounts are); invoiced is the net of issued invoices by issue month
(red-letter reversals subtract), collected is the cash received by month.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Date, String, and_, literal, not_, or_, select, union_all

from hub.finance.sql import (
    CONTRACT,
    INVOICE,
    MILESTONE,
    PAYMENT,
    Sql,
    cents,
    isum,
    milestone_cents,
    money,
    receivable,
)

OPERATIONS = "operations_service"
UNASSIGNED = "unassigned"
"""Contract type shown for invoices and payments not tied to a contract."""
CONTRACT_TYPES: tuple[str, ...] = (
    "technical_development",
    "technical_consulting",
    "product_licence",
    OPERATIONS,
)
NOT_SIGNED = ("draft", "in_approval")


@dataclass(frozen=True)
class RevenueCell:
    """One month and contract type."""

    month: str
    contract_type: str
    recognised: Decimal = Decimal("0.00")
    invoiced: Decimal = Decimal("0.00")
    collected: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class RevenueReport:
    """Months (oldest first) x contract types, with per-month and grand totals."""

    months: list[str]
    types: list[str]
    cells: dict[tuple[str, str], RevenueCell]
    today: date

    def cell(self, month: str, contract_type: str) -> RevenueCell:
        """The figures of one month and type (zeros when nothing happened)."""
        return self.cells.get((month, contract_type), RevenueCell(month, contract_type))

    def month_total(self, month: str) -> RevenueCell:
        """All types of one month added up."""
        cells = [self.cell(month, t) for t in self.types]
        return RevenueCell(
            month,
            "all",
            sum((c.recognised for c in cells), Decimal("0.00")),
            sum((c.invoiced for c in cells), Decimal("0.00")),
            sum((c.collected for c in cells), Decimal("0.00")),
        )

    def total(self) -> RevenueCell:
        """Every month and type added up."""
        months = [self.month_total(m) for m in self.months]
        return RevenueCell(
            "all",
            "all",
            sum((c.recognised for c in months), Decimal("0.00")),
            sum((c.invoiced for c in months), Decimal("0.00")),
            sum((c.collected for c in months), Decimal("0.00")),
        )


def month_starts(first: date, last: date) -> list[date]:
    """First days of every month from ``first``'s month through ``last``'s month."""
    months = []
    current = first.replace(day=1)
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def default_window(today: date, months: int = 12) -> tuple[date, date]:
    """The last ``months`` months through the current one."""
    start = today.replace(day=1)
    for _ in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return start, today


def revenue_report(
    conn: Connection, zone: ZoneInfo, today: date, *, first: date, last: date
) -> RevenueReport:
    """Recognised, invoiced and collected per month of ``first``..``last`` and contract type."""
    sql = Sql.of(conn, zone)
    starts = month_starts(first, last)
    window_start = starts[0]
    window_end = next_month(starts[-1])  # exclusive
    figures: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: {"recognised": 0, "invoiced": 0, "collected": 0}
    )
    for key, ctype, amount in _milestone_revenue(conn, sql, zone, window_start, window_end):
        figures[(key, ctype)]["recognised"] += int(amount)
    for key, amount in _ratable_revenue(conn, sql, today, starts):
        figures[(key, OPERATIONS)]["recognised"] += int(amount)
    for key, maybe_type, amount in _invoiced(conn, sql, window_start, window_end):
        figures[(key, maybe_type or UNASSIGNED)]["invoiced"] += int(amount)
    for key, maybe_type, amount in _collected(conn, sql, window_start, window_end):
        figures[(key, maybe_type or UNASSIGNED)]["collected"] += int(amount)
    types = list(CONTRACT_TYPES)
    extra_types = sorted({t for (_m, t) in figures if t not in types})
    cells = {
        (m, t): RevenueCell(
            m, t, money(f["recognised"]), money(f["invoiced"]), money(f["collected"])
        )
        for (m, t), f in figures.items()
    }
    return RevenueReport([d.strftime("%Y-%m") for d in starts], types + extra_types, cells, today)


def _utc_bounds(zone: ZoneInfo, start: date, end: date) -> tuple[datetime, datetime]:
    """Local midnight of ``start`` and ``end`` as UTC instants."""
    return (
        datetime.combine(start, time(), zone).astimezone(UTC),
        datetime.combine(end, time(), zone).astimezone(UTC),
    )


def _milestone_revenue(
    conn: Connection, sql: Sql, zone: ZoneInfo, start: date, end: date
) -> list[tuple[str, str, int]]:
    """Accepted milestones by local month of acceptance and contract type."""
    lower, upper = _utc_bounds(zone, start, end)
    month = sql.local_month(MILESTONE.c.accepted_at)
    ratable = and_(
        CONTRACT.c.type == OPERATIONS,
        CONTRACT.c.start_date.is_not(None),
        CONTRACT.c.end_date.is_not(None),
    )
    rows = conn.execute(
        select(month, CONTRACT.c.type, isum(milestone_cents(sql)))
        .select_from(MILESTONE.join(CONTRACT, CONTRACT.c.id == MILESTONE.c.contract_id))
        .where(
            MILESTONE.c.status == "accepted",
            MILESTONE.c.deleted_at.is_(None),
            CONTRACT.c.deleted_at.is_(None),
            MILESTONE.c.accepted_at >= lower,
            MILESTONE.c.accepted_at < upper,
            not_(ratable),
        )
        .group_by(month, CONTRACT.c.type)
    ).all()
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]


def _ratable_revenue(
    conn: Connection, sql: Sql, today: date, starts: list[date]
) -> list[tuple[str, int]]:
    """Operations-service contracts, ratably by day over their term, up to today."""
    if starts[0] > today:
        return []
    months = union_all(
        *(
            select(
                literal(s.strftime("%Y-%m"), String).label("month"),
                literal(s - timedelta(days=1), Date).label("prev_end"),
                literal(next_month(s) - timedelta(days=1), Date).label("month_end"),
            )
            for s in starts
            if s <= today
        )
    ).cte("months")
    start, end = CONTRACT.c.start_date, CONTRACT.c.end_date
    term = sql.days_between(end, start) + 1

    def elapsed(through: object) -> object:
        days = sql.days_between(sql.least(through, today, end), start) + 1
        return sql.greatest(0, sql.least(term, days))

    amount = cents(CONTRACT.c.amount)
    month_amount = sql.half_up_div(amount * elapsed(months.c.month_end), term) - sql.half_up_div(
        amount * elapsed(months.c.prev_end), term
    )
    rows = conn.execute(
        select(months.c.month, isum(month_amount))
        .select_from(CONTRACT.join(months, start <= months.c.month_end))
        .where(
            CONTRACT.c.type == OPERATIONS,
            CONTRACT.c.deleted_at.is_(None),
            CONTRACT.c.status.not_in(NOT_SIGNED),
            start.is_not(None),
            end.is_not(None),
            end > months.c.prev_end,
        )
        .group_by(months.c.month)
    ).all()
    return [(str(r[0]), int(r[1])) for r in rows]


def _invoiced(
    conn: Connection, sql: Sql, start: date, end: date
) -> list[tuple[str, str | None, int]]:
    month = sql.date_month(INVOICE.c.issue_date)
    rows = conn.execute(
        select(month, CONTRACT.c.type, isum(cents(INVOICE.c.net)))
        .select_from(INVOICE.outerjoin(CONTRACT, CONTRACT.c.id == INVOICE.c.contract_id))
        .where(receivable(), INVOICE.c.issue_date >= start, INVOICE.c.issue_date < end)
        .group_by(month, CONTRACT.c.type)
    ).all()
    return [(str(r[0]), r[1], int(r[2])) for r in rows]


def _collected(
    conn: Connection, sql: Sql, start: date, end: date
) -> list[tuple[str, str | None, int]]:
    month = sql.date_month(PAYMENT.c.received_on)
    rows = conn.execute(
        select(month, CONTRACT.c.type, isum(cents(PAYMENT.c.amount)))
        .select_from(
            PAYMENT.outerjoin(INVOICE, INVOICE.c.id == PAYMENT.c.invoice_id).outerjoin(
                CONTRACT, CONTRACT.c.id == INVOICE.c.contract_id
            )
        )
        .where(
            PAYMENT.c.deleted_at.is_(None),
            PAYMENT.c.received_on >= start,
            PAYMENT.c.received_on < end,
            or_(INVOICE.c.id.is_(None), INVOICE.c.deleted_at.is_(None)),
        )
        .group_by(month, CONTRACT.c.type)
    ).all()
    return [(str(r[0]), r[1], int(r[2])) for r in rows]
