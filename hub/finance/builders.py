"""Filling the figures snapshot with ``INSERT ... SELECT`` from the live query builders.

Each snapshot table is one statement: the database computes and stores the
figures without a row passing through Python.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, Table, case, func, insert, literal, literal_column, or_, select
from sqlalchemy.sql import Subquery

from hub.finance.ageing import BUCKETS, bucket_expression
from hub.finance.contracts import execution_rows
from hub.finance.milestones import allocated_milestones
from hub.finance.revenue import (
    NOT_SIGNED,
    default_window,
    month_rows,
    month_starts,
    ratable_revenue,
)
from hub.finance.sql import CUSTOMER, Sql, isum, open_invoices
from hub.finance.tables_figures import (
    CONTRACT_FIGURES,
    CUSTOMER_AGEING,
    FORECAST_DAY,
    MILESTONE_FIGURES,
    MONTH_FIGURES,
    OPEN_INVOICE,
    RATABLE_MONTH,
)


def _copy(conn: Connection, target: Table, source: Subquery) -> None:
    names = [c.name for c in target.columns]
    conn.execute(insert(target).from_select(names, select(*(source.c[n] for n in names))))


def fill_figures(conn: Connection, sql: Sql, today: date) -> None:
    """Compute every snapshot table from the canonical tables (the caller emptied them)."""
    _copy(conn, OPEN_INVOICE, open_invoices())
    _copy(conn, CONTRACT_FIGURES, execution_rows(sql, today))
    _copy(conn, MILESTONE_FIGURES, allocated_milestones(sql))
    conn.execute(
        insert(MONTH_FIGURES).from_select(
            ["month", "contract_type", "recognised", "invoiced", "collected"], month_rows(sql)
        )
    )
    _customer_ageing(conn, today)
    _forecast_days(conn, sql, today)
    starts = month_starts(default_window(today, RATABLE_MONTHS)[0], today)
    ratable = ratable_revenue(conn, sql, today, starts)
    if ratable:
        conn.execute(
            insert(RATABLE_MONTH), [{"month": m, "recognised": amount} for m, amount in ratable]
        )


RATABLE_MONTHS = 36
"""How far back the ratable (operations-service) revenue is kept: the revenue page's longest window."""


def _customer_ageing(conn: Connection, today: date) -> None:
    oi = OPEN_INVOICE
    bucket = bucket_expression(oi.c.due_date, today)
    key = func.coalesce(oi.c.customer_id, literal_column("''"))
    grouped = (
        select(
            key.label("customer_id"),
            *[isum(case((bucket == name, oi.c.balance), else_=0)).label(name) for name in BUCKETS],
            isum(oi.c.balance).label("total"),
            func.count().label("invoices"),
        )
        .group_by(key)
        .subquery("by_customer")
    )
    source = select(
        grouped.c.customer_id,
        CUSTOMER.c.name,
        CUSTOMER.c.tax_id,
        CUSTOMER.c.number,
        *[grouped.c[name] for name in BUCKETS],
        grouped.c.total,
        grouped.c.invoices,
    ).select_from(grouped.outerjoin(CUSTOMER, CUSTOMER.c.id == grouped.c.customer_id))
    names = ["customer_id", "name", "tax_id", "number", *BUCKETS, "total", "invoices"]
    conn.execute(insert(CUSTOMER_AGEING).from_select(names, source))


def _forecast_days(conn: Connection, sql: Sql, today: date) -> None:
    """Expected receipts per base day: open balances, and milestones not yet invoiced (+VAT)."""
    oi = OPEN_INVOICE
    late = case((oi.c.due_date < today, 1), else_=0)
    day = case((or_(oi.c.due_date.is_(None), oi.c.due_date < today), today), else_=oi.c.due_date)
    invoices = select(
        literal("invoice").label("source"),
        day.label("day"),
        late.label("late"),
        isum(oi.c.balance).label("amount"),
        func.count().label("items"),
    ).group_by(day, late)
    ms = MILESTONE_FIGURES
    base = case((ms.c.due_date < today, today), else_=ms.c.due_date)
    milestones = (
        select(
            literal("milestone").label("source"),
            base.label("day"),
            literal(0).label("late"),
            isum(sql.with_tax(ms.c.uninvoiced, ms.c.tax_rate)).label("amount"),
            func.count().label("items"),
        )
        .where(ms.c.uninvoiced > 0, ms.c.contract_status.not_in(NOT_SIGNED))
        .group_by(base)
    )
    names = ["source", "day", "late", "amount", "items"]
    for source in (invoices, milestones):
        conn.execute(insert(FORECAST_DAY).from_select(names, source))
