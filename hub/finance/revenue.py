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
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Connection,
    Date,
    Select,
    String,
    and_,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)

from hub.finance.snapshot import ensure
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
from hub.finance.tables_figures import MONTH_FIGURES, RATABLE_MONTH

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
    ensure(conn, sql, today)
    starts = month_starts(first, last)
    keys = [d.strftime("%Y-%m") for d in starts]
    figures: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: {"recognised": 0, "invoiced": 0, "collected": 0}
    )
    stored = conn.execute(select(MONTH_FIGURES).where(MONTH_FIGURES.c.month.in_(keys))).mappings()
    for row in stored:
        cell = figures[(row["month"], row["contract_type"])]
        for name in ("recognised", "invoiced", "collected"):
            cell[name] += int(row[name])
    for key, amount in _ratable(conn, sql, today, starts, keys):
        figures[(key, OPERATIONS)]["recognised"] += int(amount)
    types = list(CONTRACT_TYPES)
    extra_types = sorted({t for (_m, t) in figures if t not in types})
    cells = {
        (m, t): RevenueCell(
            m, t, money(f["recognised"]), money(f["invoiced"]), money(f["collected"])
        )
        for (m, t), f in figures.items()
    }
    return RevenueReport(keys, types + extra_types, cells, today)


def _ratable(
    conn: Connection, sql: Sql, today: date, starts: list[date], keys: list[str]
) -> list[tuple[str, int]]:
    """Ratable revenue of the months: kept in the snapshot for the last 36 months."""
    stored = {
        r[0]: int(r[1])
        for r in conn.execute(
            select(RATABLE_MONTH.c.month, RATABLE_MONTH.c.recognised).where(
                RATABLE_MONTH.c.month.in_(keys)
            )
        )
    }
    oldest_kept = month_starts(default_window(today, 36)[0], today)[0]
    if starts[0] >= oldest_kept:
        return list(stored.items())
    return ratable_revenue(conn, sql, today, starts)  # an older window: computed live


def month_rows(sql: Sql) -> Select[Any]:
    """Per month and contract type: milestone revenue, invoiced net, collected (all time).

    Operations-service contracts with a term are left out of the milestone revenue:
    ``ratable_revenue`` recognises them by day, as of the report's date.
    """
    zero = literal(0, BigInteger)
    ratable = and_(
        CONTRACT.c.type == OPERATIONS,
        CONTRACT.c.start_date.is_not(None),
        CONTRACT.c.end_date.is_not(None),
    )
    recognised = (
        select(
            sql.local_month(MILESTONE.c.accepted_at).label("month"),
            CONTRACT.c.type.label("contract_type"),
            milestone_cents(sql).label("recognised"),
            zero.label("invoiced"),
            zero.label("collected"),
        )
        .select_from(MILESTONE.join(CONTRACT, CONTRACT.c.id == MILESTONE.c.contract_id))
        .where(
            MILESTONE.c.status == "accepted",
            MILESTONE.c.accepted_at.is_not(None),
            MILESTONE.c.deleted_at.is_(None),
            CONTRACT.c.deleted_at.is_(None),
            not_(ratable),
        )
    )
    invoiced = (
        select(
            sql.date_month(INVOICE.c.issue_date),
            func.coalesce(CONTRACT.c.type, UNASSIGNED),
            zero,
            cents(INVOICE.c.net),
            zero,
        )
        .select_from(INVOICE.outerjoin(CONTRACT, CONTRACT.c.id == INVOICE.c.contract_id))
        .where(receivable(), INVOICE.c.issue_date.is_not(None))
    )
    collected = (
        select(
            sql.date_month(PAYMENT.c.received_on),
            func.coalesce(CONTRACT.c.type, UNASSIGNED),
            zero,
            zero,
            cents(PAYMENT.c.amount),
        )
        .select_from(
            PAYMENT.outerjoin(INVOICE, INVOICE.c.id == PAYMENT.c.invoice_id).outerjoin(
                CONTRACT, CONTRACT.c.id == INVOICE.c.contract_id
            )
        )
        .where(
            PAYMENT.c.deleted_at.is_(None),
            PAYMENT.c.received_on.is_not(None),
            or_(INVOICE.c.id.is_(None), INVOICE.c.deleted_at.is_(None)),
        )
    )
    rows = union_all(recognised, invoiced, collected).subquery("month_rows")
    return select(
        rows.c.month,
        rows.c.contract_type,
        isum(rows.c.recognised),
        isum(rows.c.invoiced),
        isum(rows.c.collected),
    ).group_by(rows.c.month, rows.c.contract_type)


def ratable_revenue(
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
