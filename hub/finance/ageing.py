"""AR ageing: open receivables by days past their due date, per customer, with drill-down.

Buckets follow ``shared/domain/china-finance.md``: not due, 1-30, 31-60, 61-90 and
over 90 days past the due date (not the issue date), judged on the business date
in Asia/Shanghai. The bucket boundaries are computed once as dates, so SQL
compares plain date columns (index-friendly, the same on both stores), and every
total is a SUM of integer hundredths, so the buckets always add up exactly to
the sum of open balances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, and_, case, func, literal, or_, select

from hub.finance.snapshot import ensure
from hub.finance.sql import CUSTOMER, Sql, as_date, isum, like_any, money
from hub.finance.tables_figures import CUSTOMER_AGEING, OPEN_INVOICE

SHANGHAI = ZoneInfo("Asia/Shanghai")

BUCKETS: tuple[str, ...] = ("not_due", "d1_30", "d31_60", "d61_90", "over_90")
BUCKET_LABELS: dict[str, str] = {
    "not_due": "Not due",
    "d1_30": "1-30 days",
    "d31_60": "31-60 days",
    "d61_90": "61-90 days",
    "over_90": "Over 90 days",
}


def bucket_of(days_past_due: int) -> str:
    """The bucket of an invoice ``days_past_due`` days late (0 or less: not due)."""
    if days_past_due <= 0:
        return "not_due"
    if days_past_due <= 30:
        return "d1_30"
    if days_past_due <= 60:
        return "d31_60"
    if days_past_due <= 90:
        return "d61_90"
    return "over_90"


def bucket_expression(due: Any, today: date) -> ColumnElement[str]:
    """SQL: the bucket of a due date on ``today`` (the same rule as ``bucket_of``)."""
    return case(
        (due.is_(None), literal("not_due")),
        (due >= today, literal("not_due")),
        (due >= today - timedelta(days=30), literal("d1_30")),
        (due >= today - timedelta(days=60), literal("d31_60")),
        (due >= today - timedelta(days=90), literal("d61_90")),
        else_=literal("over_90"),
    )


@dataclass(frozen=True)
class AgeingRow:
    """One customer's open receivables by bucket."""

    customer_id: str | None
    customer_name: str
    tax_id: str | None
    buckets: dict[str, Decimal]
    total: Decimal
    invoices: int


@dataclass(frozen=True)
class AgeingReport:
    """A page of customers plus the totals of every customer matching the filter."""

    today: date
    rows: list[AgeingRow]
    totals: dict[str, Decimal]
    total: Decimal
    customers: int
    invoices: int
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class OpenInvoice:
    """An open invoice with its age."""

    id: str
    number: str
    customer_id: str | None
    customer_name: str
    contract_id: str | None
    issue_date: date | None
    due_date: date | None
    gross: Decimal
    paid: Decimal
    reversed: Decimal
    balance: Decimal
    days_past_due: int
    bucket: str
    extra: dict[str, Any] = field(default_factory=dict)


def _bucket_sums(oi: Any, today: date) -> list[ColumnElement[int]]:
    bucket = bucket_expression(oi.c.due_date, today)
    return [isum(case((bucket == name, oi.c.balance), else_=0)).label(name) for name in BUCKETS]


def ageing_by_customer(
    conn: Connection,
    today: date,
    *,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
    zone: ZoneInfo = SHANGHAI,
) -> AgeingReport:
    """Customers with open receivables, largest total first, and the totals of all of them.

    Read from the figures snapshot's per-customer buckets: one indexed page query
    and one sum over the (one row per customer) table.
    """
    ensure(conn, Sql.of(conn, zone), today)
    ca = CUSTOMER_AGEING
    where = [like_any(search, ca.c.name, ca.c.tax_id, ca.c.number)] if search else []
    totals = (
        conn.execute(
            select(
                *[isum(ca.c[name]).label(name) for name in BUCKETS],
                isum(ca.c.total).label("total"),
                isum(ca.c.invoices).label("invoices"),
                func.count().label("customers"),
            ).where(*where)
        )
        .mappings()
        .one()
    )
    page = conn.execute(
        select(ca)
        .where(*where)
        .order_by(ca.c.total.desc(), ca.c.name, ca.c.customer_id)
        .limit(limit)
        .offset(offset)
    ).mappings()
    rows = [
        AgeingRow(
            customer_id=r["customer_id"] or None,
            customer_name=r["name"] or "(no customer)",
            tax_id=r["tax_id"],
            buckets={name: money(r[name]) for name in BUCKETS},
            total=money(r["total"]),
            invoices=int(r["invoices"]),
        )
        for r in page
    ]
    return AgeingReport(
        today,
        rows,
        {name: money(totals[name]) for name in BUCKETS},
        money(totals["total"]),
        int(totals["customers"]),
        int(totals["invoices"]),
        offset,
        limit,
    )


def open_invoice_list(
    conn: Connection,
    today: date,
    *,
    customer_id: str | None = None,
    bucket: str | None = None,
    limit: int = 100,
    offset: int = 0,
    zone: ZoneInfo = SHANGHAI,
) -> tuple[list[OpenInvoice], int]:
    """Open invoices (the drill-down), oldest due date first, and how many match."""
    if bucket is not None and bucket not in BUCKETS:
        raise ValueError(f"unknown ageing bucket {bucket!r}; expected one of {', '.join(BUCKETS)}")
    ensure(conn, Sql.of(conn, zone), today)
    oi = OPEN_INVOICE
    bucket_col = bucket_expression(oi.c.due_date, today)
    where = []
    if customer_id is not None:
        where.append(oi.c.customer_id == customer_id)
    if bucket is not None:
        where.append(_bucket_range(oi.c.due_date, bucket, today))
    total = conn.execute(select(func.count()).select_from(oi).where(*where)).scalar_one()
    rows = conn.execute(
        select(oi, CUSTOMER.c.name, bucket_col.label("bucket"))
        .select_from(oi.outerjoin(CUSTOMER, CUSTOMER.c.id == oi.c.customer_id))
        .where(*where)
        .order_by(oi.c.due_date, oi.c.number)
        .limit(limit)
        .offset(offset)
    ).mappings()
    return [open_invoice_row(r, today) for r in rows], int(total)


def _bucket_range(due: Any, bucket: str, today: date) -> ColumnElement[bool]:
    """The due dates of a bucket as a range (so an index on the due date serves it)."""
    bounds = {"d1_30": (30, 1), "d31_60": (60, 31), "d61_90": (90, 61)}
    if bucket == "not_due":
        return or_(due.is_(None), due >= today)
    if bucket == "over_90":
        past: ColumnElement[bool] = due < today - timedelta(days=90)
        return past
    oldest, newest = bounds[bucket]
    return and_(due >= today - timedelta(days=oldest), due <= today - timedelta(days=newest))


def open_invoice_row(r: Any, today: date) -> OpenInvoice:
    """An open invoice from a row of ``open_invoices`` joined to the customer name."""
    due: date | None = as_date(r["due_date"])
    days = (today - due).days if due else 0
    return OpenInvoice(
        id=r["id"],
        number=r["number"],
        customer_id=r["customer_id"],
        customer_name=r["name"] or "(no customer)",
        contract_id=r["contract_id"],
        issue_date=as_date(r["issue_date"]),
        due_date=due,
        gross=money(r["gross"]),
        paid=money(r["paid"]),
        reversed=money(r["reversed"]),
        balance=money(r["balance"]),
        days_past_due=days,
        bucket=bucket_of(days),
    )
