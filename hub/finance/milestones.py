"""Which part of each milestone has been invoiced: invoices are allocated first in, first out.

The canonical model ties an invoice to a contract, not to a milestone, so a
contract's invoiced net amount is spread over its milestones in their order
(sequence, then due date): the first milestone is invoiced first. That gives a
per-milestone "invoiced" and "not yet invoiced" value, which the delivered-not-
invoiced flag, customer 360 and the cash-flow forecast all read from one place.
The allocation runs in SQL with a window sum, never in a Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Connection, case, func, select, type_coerce
from sqlalchemy.sql import Subquery

from hub.finance.snapshot import ensure
from hub.finance.sql import (
    CONTRACT,
    INVOICE,
    MILESTONE,
    OPEN_MILESTONE,
    Sql,
    as_date,
    cents,
    isum,
    milestone_cents,
    money,
    receivable,
)
from hub.finance.tables_figures import MILESTONE_FIGURES


def invoiced_by_contract() -> Subquery:
    """Per contract: net and gross of its receivable invoices (reversals subtract)."""
    return (
        select(
            INVOICE.c.contract_id.label("contract_id"),
            isum(cents(INVOICE.c.net)).label("invoiced_net"),
            isum(cents(INVOICE.c.gross)).label("invoiced_gross"),
        )
        .where(receivable(), INVOICE.c.contract_id.is_not(None))
        .group_by(INVOICE.c.contract_id)
        .subquery("invoiced_by_contract")
    )


def allocated_milestones(sql: Sql, *, contract_ids: list[str] | None = None) -> Subquery:
    """Every live milestone with its value, invoiced part and uninvoiced part (hundredths)."""
    value = milestone_cents(sql)
    order = (MILESTONE.c.sequence, MILESTONE.c.due_date, MILESTONE.c.id)
    running = func.sum(value).over(partition_by=MILESTONE.c.contract_id, order_by=order)
    inv = invoiced_by_contract()
    base = (
        select(
            MILESTONE.c.id,
            MILESTONE.c.contract_id,
            MILESTONE.c.name,
            MILESTONE.c.sequence,
            MILESTONE.c.due_date,
            MILESTONE.c.status,
            MILESTONE.c.accepted_at,
            MILESTONE.c.project_item,
            MILESTONE.c.percent,
            CONTRACT.c.tax_rate,
            CONTRACT.c.customer_id,
            CONTRACT.c.status.label("contract_status"),
            type_coerce(value, BigInteger).label("value"),
            type_coerce(running - value, BigInteger).label("before"),
            type_coerce(func.coalesce(inv.c.invoiced_net, 0), BigInteger).label(
                "contract_invoiced"
            ),
        )
        .select_from(
            MILESTONE.join(CONTRACT, CONTRACT.c.id == MILESTONE.c.contract_id).outerjoin(
                inv, inv.c.contract_id == MILESTONE.c.contract_id
            )
        )
        .where(MILESTONE.c.deleted_at.is_(None), CONTRACT.c.deleted_at.is_(None))
    )
    if contract_ids is not None:
        base = base.where(MILESTONE.c.contract_id.in_(contract_ids))
    b = base.subquery("ms_base")
    left = b.c.contract_invoiced - b.c.before
    invoiced = case((left <= 0, 0), (left >= b.c.value, b.c.value), else_=left)
    return select(
        b,
        type_coerce(invoiced, BigInteger).label("invoiced"),
        type_coerce(b.c.value - invoiced, BigInteger).label("uninvoiced"),
    ).subquery("milestone_allocation")


@dataclass(frozen=True)
class MilestoneLine:
    """A milestone as finance sees it."""

    id: str
    contract_id: str
    name: str
    sequence: int
    due_date: date | None
    status: str
    accepted_at: datetime | None
    project_item: str | None
    value: Decimal
    invoiced: Decimal
    uninvoiced: Decimal
    overdue: bool
    """Not delivered, and its due date has passed (a slipped milestone)."""

    @property
    def delivered_not_invoiced(self) -> Decimal:
        """Accepted value that no invoice covers yet."""
        return self.uninvoiced if self.status == "accepted" else Decimal("0.00")


def milestone_lines(
    conn: Connection, sql: Sql, today: date, contract_ids: list[str]
) -> list[MilestoneLine]:
    """The milestones of ``contract_ids`` in contract order (from the figures snapshot)."""
    if not contract_ids:
        return []
    ensure(conn, sql, today)
    ms = MILESTONE_FIGURES
    rows = conn.execute(
        select(ms)
        .where(ms.c.contract_id.in_(contract_ids))
        .order_by(ms.c.contract_id, ms.c.sequence, ms.c.due_date, ms.c.id)
    ).mappings()
    return [_line(r, today) for r in rows]


def _line(r: Any, today: date) -> MilestoneLine:
    due = as_date(r["due_date"])
    return MilestoneLine(
        id=r["id"],
        contract_id=r["contract_id"],
        name=r["name"],
        sequence=int(r["sequence"] or 0),
        due_date=due,
        status=r["status"],
        accepted_at=r["accepted_at"],
        project_item=r["project_item"],
        value=money(r["value"]),
        invoiced=money(r["invoiced"]),
        uninvoiced=money(r["uninvoiced"]),
        overdue=bool(due and due < today and r["status"] in OPEN_MILESTONE),
    )


def uninvoiced_total(conn: Connection, sql: Sql, today: date) -> Decimal:
    """Accepted milestone value no invoice covers yet, over every contract."""
    ensure(conn, sql, today)
    ms = MILESTONE_FIGURES
    value = conn.execute(
        select(isum(ms.c.uninvoiced)).where(ms.c.status == "accepted")
    ).scalar_one()
    return money(value)
