"""Risk alerts: overdue receivables, slipped milestones, reconciliation mismatches.

One function gathers all three for the dashboard and the daily digest, each as the
first ``limit`` rows plus the count and total of everything that qualifies
(computed in SQL with window sums, so a long list costs one query).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from hub.finance.ageing import OpenInvoice, bucket_expression, open_invoice_row
from hub.finance.reconcile import Mismatch
from hub.finance.reconcile_runs import StoredRun, latest_run, stored_mismatches
from hub.finance.settings import FinanceSettings
from hub.finance.snapshot import ensure
from hub.finance.sql import (
    CONTRACT,
    CUSTOMER,
    OPEN_MILESTONE,
    Sql,
    as_date,
    isum,
    money,
)
from hub.finance.tables_figures import MILESTONE_FIGURES, OPEN_INVOICE


@dataclass(frozen=True)
class SlippedMilestone:
    """A planned or in-progress milestone past its due date."""

    id: str
    name: str
    contract_id: str
    contract_number: str
    customer_id: str | None
    customer_name: str
    due_date: date
    days_late: int
    status: str
    value: Decimal
    project_item: str | None


@dataclass(frozen=True)
class RiskAlerts:
    """Everything the dashboard and the digest show."""

    today: date
    overdue: list[OpenInvoice]
    overdue_count: int
    overdue_total: Decimal
    slipped: list[SlippedMilestone]
    slipped_count: int
    slipped_total: Decimal
    reconciliation: StoredRun | None
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def count(self) -> int:
        """All alerts together."""
        recon = self.reconciliation.mismatches if self.reconciliation else 0
        return self.overdue_count + self.slipped_count + recon


def risk_alerts(
    conn: Connection, sql: Sql, today: date, policy: FinanceSettings, *, limit: int = 50
) -> RiskAlerts:
    """The alerts as of ``today`` under ``policy``'s thresholds."""
    ensure(conn, sql, today)
    overdue, overdue_count, overdue_total = _overdue(conn, today, policy.overdue_alert_days, limit)
    slipped, slipped_count, slipped_total = _slipped(conn, today, policy.milestone_slip_days, limit)
    run = latest_run(conn)
    mismatches = stored_mismatches(conn, run.id, limit=limit)[0] if run else []
    return RiskAlerts(
        today,
        overdue,
        overdue_count,
        overdue_total,
        slipped,
        slipped_count,
        slipped_total,
        run,
        mismatches,
    )


def _overdue(
    conn: Connection, today: date, grace: int, limit: int
) -> tuple[list[OpenInvoice], int, Decimal]:
    oi = OPEN_INVOICE
    late = oi.c.due_date < today - timedelta(days=grace)
    count, total = conn.execute(
        select(func.count(), isum(oi.c.balance)).select_from(oi).where(late)
    ).one()
    rows = conn.execute(
        select(oi, CUSTOMER.c.name, bucket_expression(oi.c.due_date, today).label("bucket"))
        .select_from(oi.outerjoin(CUSTOMER, CUSTOMER.c.id == oi.c.customer_id))
        .where(late)
        .order_by(oi.c.due_date, oi.c.number)
        .limit(limit)
    ).mappings()
    return [open_invoice_row(r, today) for r in rows], int(count), money(total)


def _slipped(
    conn: Connection, today: date, grace: int, limit: int
) -> tuple[list[SlippedMilestone], int, Decimal]:
    ms = MILESTONE_FIGURES
    slipped = (ms.c.status.in_(OPEN_MILESTONE), ms.c.due_date < today - timedelta(days=grace))
    count, total = conn.execute(
        select(func.count(), isum(ms.c.value)).select_from(ms).where(*slipped)
    ).one()
    rows = conn.execute(
        select(
            ms.c.id,
            ms.c.name,
            ms.c.contract_id,
            ms.c.due_date,
            ms.c.status,
            ms.c.project_item,
            ms.c.value,
            CONTRACT.c.number.label("contract_number"),
            CONTRACT.c.customer_id,
            CUSTOMER.c.name.label("customer_name"),
        )
        .select_from(
            ms.join(CONTRACT, CONTRACT.c.id == ms.c.contract_id).outerjoin(
                CUSTOMER, CUSTOMER.c.id == CONTRACT.c.customer_id
            )
        )
        .where(*slipped)
        .order_by(ms.c.due_date, CONTRACT.c.number, ms.c.sequence)
        .limit(limit)
    ).mappings()
    return [_slipped_line(r, today) for r in rows], int(count), money(total)


def _slipped_line(r: Any, today: date) -> SlippedMilestone:
    due = as_date(r["due_date"])
    assert due is not None
    return SlippedMilestone(
        id=r["id"],
        name=r["name"],
        contract_id=r["contract_id"],
        contract_number=r["contract_number"],
        customer_id=r["customer_id"],
        customer_name=r["customer_name"] or "",
        due_date=due,
        days_late=(today - due).days,
        status=r["status"],
        value=money(r["value"]),
        project_item=r["project_item"],
    )
