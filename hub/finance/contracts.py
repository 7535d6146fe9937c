"""Contract execution: contracted vs delivered vs invoiced vs collected, with finance flags.

Delivered is the value of accepted milestones (amount, or percent of the contract);
invoiced is the net of the contract's receivable invoices (comparable with the
net contract and milestone amounts); collected is the cash received against its
invoices; open is invoiced gross minus collected. Flags:

- ``delivered_not_invoiced``: accepted value exceeds the invoiced net (a contract
  asset: revenue earned, no invoice yet);
- ``invoiced_ahead``: invoiced net exceeds accepted value (deferred revenue);
- ``milestone_overdue``: a planned or in-progress milestone is past its due date;
- ``past_end_open``: the contract's end date has passed and it still has
  unaccepted milestones, an open balance, or delivered value not invoiced.

Everything is aggregated per contract in SQL; flag counts come from window sums
over the same rows, so the page costs one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Integer,
    and_,
    case,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.sql import Subquery

from hub.finance.milestones import invoiced_by_contract
from hub.finance.snapshot import ensure
from hub.finance.sql import (
    CONTRACT,
    CUSTOMER,
    INVOICE,
    MILESTONE,
    OPEN_MILESTONE,
    PAYMENT,
    Sql,
    as_date,
    cents,
    isum,
    like_any,
    milestone_cents,
    money,
)
from hub.finance.tables_figures import CONTRACT_FIGURES

FLAGS: tuple[str, ...] = (
    "delivered_not_invoiced",
    "invoiced_ahead",
    "milestone_overdue",
    "past_end_open",
)
FLAG_LABELS: dict[str, str] = {
    "delivered_not_invoiced": "Delivered, not invoiced",
    "invoiced_ahead": "Invoiced ahead of delivery",
    "milestone_overdue": "Milestone overdue",
    "past_end_open": "Past end date with open items",
}
SORTS: dict[str, str] = {
    "number": "number",
    "customer": "customer_name",
    "amount": "amount",
    "open": "open_balance",
    "end": "end_date",
}


@dataclass(frozen=True)
class ContractLine:
    """One contract's execution figures and flags."""

    id: str
    number: str
    title: str | None
    type: str
    status: str
    customer_id: str | None
    customer_name: str
    currency: str
    start_date: date | None
    end_date: date | None
    amount: Decimal
    delivered: Decimal
    invoiced_net: Decimal
    invoiced_gross: Decimal
    collected: Decimal
    open_balance: Decimal
    milestones: int
    open_milestones: int
    overdue_milestones: int
    flags: tuple[str, ...]

    @property
    def not_invoiced(self) -> Decimal:
        """Delivered value exceeding the invoiced net (zero when invoiced ahead)."""
        return max(self.delivered - self.invoiced_net, Decimal("0.00"))

    @property
    def invoiced_ahead(self) -> Decimal:
        """Invoiced net exceeding delivered value (zero when delivered ahead)."""
        return max(self.invoiced_net - self.delivered, Decimal("0.00"))


@dataclass(frozen=True)
class ExecutionReport:
    """A page of contracts, how many match, and how many carry each flag (whole store)."""

    today: date
    rows: list[ContractLine]
    matches: int
    flag_counts: dict[str, int]
    offset: int = 0
    limit: int = 50


def _milestones_by_contract(sql: Sql, today: date) -> Subquery:
    value = milestone_cents(sql)
    open_ = MILESTONE.c.status.in_(OPEN_MILESTONE)
    return (
        select(
            MILESTONE.c.contract_id.label("contract_id"),
            func.count().label("milestones"),
            isum(case((MILESTONE.c.status == "accepted", value), else_=0)).label("delivered"),
            isum(case((MILESTONE.c.status != "accepted", 1), else_=0)).label("open_milestones"),
            isum(case((and_(open_, MILESTONE.c.due_date < today), 1), else_=0)).label(
                "overdue_milestones"
            ),
        )
        .select_from(MILESTONE.join(CONTRACT, CONTRACT.c.id == MILESTONE.c.contract_id))
        .where(MILESTONE.c.deleted_at.is_(None))
        .group_by(MILESTONE.c.contract_id)
        .subquery("ms_by_contract")
    )


def _collected_by_contract() -> Subquery:
    return (
        select(
            INVOICE.c.contract_id.label("contract_id"),
            isum(cents(PAYMENT.c.amount)).label("collected"),
        )
        .select_from(PAYMENT.join(INVOICE, INVOICE.c.id == PAYMENT.c.invoice_id))
        .where(
            PAYMENT.c.deleted_at.is_(None),
            INVOICE.c.deleted_at.is_(None),
            INVOICE.c.contract_id.is_not(None),
        )
        .group_by(INVOICE.c.contract_id)
        .subquery("collected_by_contract")
    )


def execution_rows(sql: Sql, today: date) -> Subquery:
    """Every live contract with its figures (hundredths) and flags (0/1)."""
    ms = _milestones_by_contract(sql, today)
    inv = invoiced_by_contract()
    col = _collected_by_contract()
    delivered = func.coalesce(ms.c.delivered, 0)
    invoiced_net = func.coalesce(inv.c.invoiced_net, 0)
    invoiced_gross = func.coalesce(inv.c.invoiced_gross, 0)
    collected = func.coalesce(col.c.collected, 0)
    open_balance = invoiced_gross - collected
    open_ms = func.coalesce(ms.c.open_milestones, 0)
    overdue_ms = func.coalesce(ms.c.overdue_milestones, 0)

    def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return type_coerce(case((condition, 1), else_=0), Integer)

    return (
        select(
            CONTRACT.c.id,
            CONTRACT.c.number,
            CONTRACT.c.title,
            CONTRACT.c.type,
            CONTRACT.c.status,
            CONTRACT.c.customer_id,
            CONTRACT.c.currency,
            CONTRACT.c.start_date,
            CONTRACT.c.end_date,
            func.coalesce(CUSTOMER.c.name, "").label("customer_name"),
            cents(CONTRACT.c.amount).label("amount"),
            type_coerce(delivered, BigInteger).label("delivered"),
            type_coerce(invoiced_net, BigInteger).label("invoiced_net"),
            type_coerce(invoiced_gross, BigInteger).label("invoiced_gross"),
            type_coerce(collected, BigInteger).label("collected"),
            type_coerce(open_balance, BigInteger).label("open_balance"),
            type_coerce(func.coalesce(ms.c.milestones, 0), Integer).label("milestones"),
            type_coerce(open_ms, Integer).label("open_milestones"),
            type_coerce(overdue_ms, Integer).label("overdue_milestones"),
            flag(delivered > invoiced_net).label("delivered_not_invoiced"),
            flag(invoiced_net > delivered).label("invoiced_ahead"),
            flag(overdue_ms > 0).label("milestone_overdue"),
            flag(
                and_(
                    CONTRACT.c.end_date < today,
                    CONTRACT.c.status != "terminated",
                    or_(open_ms > 0, open_balance > 0, delivered > invoiced_net),
                )
            ).label("past_end_open"),
        )
        .select_from(
            CONTRACT.outerjoin(CUSTOMER, CUSTOMER.c.id == CONTRACT.c.customer_id)
            .outerjoin(ms, ms.c.contract_id == CONTRACT.c.id)
            .outerjoin(inv, inv.c.contract_id == CONTRACT.c.id)
            .outerjoin(col, col.c.contract_id == CONTRACT.c.id)
        )
        .where(CONTRACT.c.deleted_at.is_(None))
        .subquery("contract_execution")
    )


def contract_execution(
    conn: Connection,
    sql: Sql,
    today: date,
    *,
    customer_id: str | None = None,
    flag: str | None = None,
    search: str | None = None,
    sort: str = "number",
    descending: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> ExecutionReport:
    """A page of contracts with their figures; ``flag`` keeps only contracts carrying it."""
    if flag is not None and flag not in FLAGS:
        raise ValueError(f"unknown flag {flag!r}; expected one of {', '.join(FLAGS)}")
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; expected one of {', '.join(SORTS)}")
    ensure(conn, sql, today)
    ex = CONTRACT_FIGURES
    scope = []
    if customer_id is not None:
        scope.append(ex.c.customer_id == customer_id)
    if search:
        scope.append(like_any(search, ex.c.number, ex.c.title, ex.c.customer_name))
    counts_row = (
        conn.execute(
            select(
                *[isum(ex.c[f]).label(f) for f in FLAGS],
                func.count().label("scoped"),
                isum(ex.c[flag]).label("flagged") if flag else func.count().label("flagged"),
            ).where(*scope)
        )
        .mappings()
        .one()
    )
    counts = {f: int(counts_row[f]) for f in FLAGS}
    matches = int(counts_row["flagged"])
    where = [*scope, ex.c[flag] == 1] if flag else scope
    key = ex.c[SORTS[sort]]
    rows = conn.execute(
        select(ex)
        .where(*where)
        .order_by(key.desc() if descending else key, ex.c.number, ex.c.id)
        .limit(limit)
        .offset(offset)
    ).mappings()
    return ExecutionReport(today, [_line(r) for r in rows], matches, counts, offset, limit)


def _line(r: Any) -> ContractLine:
    return ContractLine(
        id=r["id"],
        number=r["number"],
        title=r["title"],
        type=r["type"],
        status=r["status"],
        customer_id=r["customer_id"],
        customer_name=r["customer_name"] or "",
        currency=r["currency"],
        start_date=as_date(r["start_date"]),
        end_date=as_date(r["end_date"]),
        amount=money(r["amount"]),
        delivered=money(r["delivered"]),
        invoiced_net=money(r["invoiced_net"]),
        invoiced_gross=money(r["invoiced_gross"]),
        collected=money(r["collected"]),
        open_balance=money(r["open_balance"]),
        milestones=int(r["milestones"]),
        open_milestones=int(r["open_milestones"]),
        overdue_milestones=int(r["overdue_milestones"]),
        flags=tuple(f for f in FLAGS if r[f]),
    )
