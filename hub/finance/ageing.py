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

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    case,
    func,
    literal,
    select,
    type_coerce,
)

from hub.finance.sql import CUSTOMER, as_date, isum, like_any, money, open_invoices

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
) -> AgeingReport:
    """Customers with open receivables, largest total first, and the grand totals.

    The totals come from window sums over the same grouped rows, so one scan of the
    invoices serves the page and the totals.
    """
    oi = open_invoices()
    grouped_q = (
        select(
            oi.c.customer_id,
            *_bucket_sums(oi, today),
            isum(oi.c.balance).label("total"),
            func.count().label("invoices"),
        )
        .select_from(oi.outerjoin(CUSTOMER, CUSTOMER.c.id == oi.c.customer_id))
        .group_by(oi.c.customer_id)
    )
    if search:
        grouped_q = grouped_q.where(
            like_any(search, CUSTOMER.c.name, CUSTOMER.c.tax_id, CUSTOMER.c.number)
        )
    grouped = grouped_q.subquery("grouped")
    windows = [
        type_coerce(func.sum(grouped.c[name]).over(), BigInteger).label(f"all_{name}")
        for name in BUCKETS
    ]
    page = (
        conn.execute(
            select(
                grouped,
                CUSTOMER.c.name,
                CUSTOMER.c.tax_id,
                *windows,
                type_coerce(func.sum(grouped.c.total).over(), BigInteger).label("all_total"),
                type_coerce(func.sum(grouped.c.invoices).over(), BigInteger).label("all_invoices"),
                func.count().over().label("all_customers"),
            )
            .select_from(grouped.outerjoin(CUSTOMER, CUSTOMER.c.id == grouped.c.customer_id))
            .order_by(grouped.c.total.desc(), CUSTOMER.c.name, grouped.c.customer_id)
            .limit(limit)
            .offset(offset)
        )
        .mappings()
        .all()
    )
    rows = [
        AgeingRow(
            customer_id=r["customer_id"],
            customer_name=r["name"] or "(no customer)",
            tax_id=r["tax_id"],
            buckets={name: money(r[name]) for name in BUCKETS},
            total=money(r["total"]),
            invoices=int(r["invoices"]),
        )
        for r in page
    ]
    if page:
        first = page[0]
        totals = {name: money(first[f"all_{name}"]) for name in BUCKETS}
        return AgeingReport(
            today,
            rows,
            totals,
            money(first["all_total"]),
            int(first["all_customers"]),
            int(first["all_invoices"]),
            offset,
            limit,
        )
    return _totals_only(conn, today, grouped, offset, limit)


def _totals_only(
    conn: Connection, today: date, grouped: Any, offset: int, limit: int
) -> AgeingReport:
    """Totals when the requested page is past the end (or nothing is open)."""
    row = (
        conn.execute(
            select(
                *[isum(grouped.c[name]).label(name) for name in BUCKETS],
                isum(grouped.c.total).label("total"),
                isum(grouped.c.invoices).label("invoices"),
                func.count().label("customers"),
            )
        )
        .mappings()
        .one()
    )
    totals = {name: money(row[name]) for name in BUCKETS}
    return AgeingReport(
        today,
        [],
        totals,
        money(row["total"]),
        int(row["customers"]),
        int(row["invoices"]),
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
) -> tuple[list[OpenInvoice], int]:
    """Open invoices (the drill-down), oldest due date first, and how many match."""
    if bucket is not None and bucket not in BUCKETS:
        raise ValueError(f"unknown ageing bucket {bucket!r}; expected one of {', '.join(BUCKETS)}")
    oi = open_invoices(customer_id=customer_id)
    bucket_col = bucket_expression(oi.c.due_date, today)
    query = select(
        oi, CUSTOMER.c.name, bucket_col.label("bucket"), func.count().over().label("matches")
    ).select_from(oi.outerjoin(CUSTOMER, CUSTOMER.c.id == oi.c.customer_id))
    if bucket is not None:
        query = query.where(bucket_col == bucket)
    rows = (
        conn.execute(query.order_by(oi.c.due_date, oi.c.number).limit(limit).offset(offset))
        .mappings()
        .all()
    )
    invoices = [open_invoice_row(r, today) for r in rows]
    total = int(rows[0]["matches"]) if rows else 0
    return invoices, total


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
