"""What each finance page shows, computed once for the page and for its CSV/XLSX export.

Every function here is synchronous (pages run it in the thread pool) and opens
one connection; the figures come from ``hub.finance``, this module only chooses
parameters and turns results into ``ExportTable`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine

from hub.finance.ageing import (
    BUCKET_LABELS,
    BUCKETS,
    AgeingReport,
    OpenInvoice,
    ageing_by_customer,
    open_invoice_list,
)
from hub.finance.alerts import RiskAlerts, risk_alerts
from hub.finance.contracts import FLAGS, ExecutionReport, contract_execution
from hub.finance.customer360 import Customer360, CustomerHit, customer_detail, search_customers
from hub.finance.exports import Cell, ExportTable
from hub.finance.forecast import Forecast, cash_forecast
from hub.finance.reconcile import Mismatch
from hub.finance.reconcile_runs import StoredRun, latest_run, stored_mismatches
from hub.finance.revenue import RevenueReport, default_window, revenue_report
from hub.finance.sql import Sql, business_today
from hub.settings import Settings

PAGE = 50


@dataclass(frozen=True)
class Ctx:
    """What every finance computation needs."""

    settings: Settings
    engine: Engine
    today: date

    @classmethod
    def of(cls, settings: Settings, engine: Engine, today: date | None = None) -> Ctx:
        """The context for the business date ``today`` (default: now in the business zone)."""
        return cls(settings, engine, today or business_today(settings.zone))


def alerts(ctx: Ctx, limit: int = PAGE) -> RiskAlerts:
    """The dashboard."""
    with ctx.engine.connect() as conn:
        return risk_alerts(
            conn, Sql.of(conn, ctx.settings.zone), ctx.today, ctx.settings.finance, limit=limit
        )


def customers(ctx: Ctx, term: str, limit: int = PAGE) -> list[CustomerHit]:
    """Customer search."""
    with ctx.engine.connect() as conn:
        return search_customers(conn, Sql.of(conn, ctx.settings.zone), term, limit=limit)


def customer(ctx: Ctx, customer_id: str) -> Customer360 | None:
    """One customer's 360 view."""
    with ctx.engine.connect() as conn:
        return customer_detail(
            conn, Sql.of(conn, ctx.settings.zone), ctx.settings, ctx.today, customer_id
        )


def contracts(ctx: Ctx, **filters: Any) -> ExecutionReport:
    """Contract execution (``flag``, ``search``, ``sort``, ``descending``, ``limit``, ``offset``)."""
    with ctx.engine.connect() as conn:
        return contract_execution(conn, Sql.of(conn, ctx.settings.zone), ctx.today, **filters)


def ageing(ctx: Ctx, search: str | None, limit: int, offset: int) -> AgeingReport:
    """AR ageing by customer."""
    with ctx.engine.connect() as conn:
        return ageing_by_customer(conn, ctx.today, search=search, limit=limit, offset=offset)


def invoices(
    ctx: Ctx, customer_id: str | None, bucket: str | None, limit: int, offset: int
) -> tuple[list[OpenInvoice], int]:
    """The ageing drill-down."""
    with ctx.engine.connect() as conn:
        return open_invoice_list(
            conn, ctx.today, customer_id=customer_id, bucket=bucket, limit=limit, offset=offset
        )


def revenue(ctx: Ctx, months: int) -> RevenueReport:
    """Revenue of the last ``months`` months."""
    first, last = default_window(ctx.today, months)
    with ctx.engine.connect() as conn:
        return revenue_report(conn, ctx.settings.zone, ctx.today, first=first, last=last)


def forecast(ctx: Ctx) -> Forecast:
    """The cash-flow forecast."""
    with ctx.engine.connect() as conn:
        return cash_forecast(
            conn,
            Sql.of(conn, ctx.settings.zone),
            ctx.today,
            payment_days=ctx.settings.finance.payment_days,
        )


def reconciliation(
    ctx: Ctx, kind: str | None, entity: str | None, limit: int, offset: int
) -> tuple[StoredRun | None, list[Mismatch], int]:
    """The latest stored reconciliation and a page of its mismatches."""
    with ctx.engine.connect() as conn:
        run = latest_run(conn)
        if run is None:
            return None, [], 0
        items, total = stored_mismatches(
            conn, run.id, kind=kind, entity=entity, limit=limit, offset=offset
        )
        return run, items, total


# -- export tables --------------------------------------------------------------------


def ageing_table(report: AgeingReport) -> ExportTable:
    """AR ageing by customer, with the totals row."""
    headers = ["customer", "tax id", *(BUCKET_LABELS[b] for b in BUCKETS), "total", "invoices"]
    rows: list[list[Any]] = [
        [r.customer_name, r.tax_id, *(r.buckets[b] for b in BUCKETS), r.total, r.invoices]
        for r in report.rows
    ]
    rows.append(
        ["TOTAL", None, *(report.totals[b] for b in BUCKETS), report.total, report.invoices]
    )
    return ExportTable(
        "AR ageing", headers, rows, (f"As of {report.today.isoformat()}; days past due date.",)
    )


def invoices_table(items: list[OpenInvoice], today: date) -> ExportTable:
    """Open invoices (the drill-down)."""
    return ExportTable(
        "Open invoices",
        [
            "invoice",
            "customer",
            "issued",
            "due",
            "days past due",
            "bucket",
            "gross",
            "paid",
            "reversed",
            "open balance",
        ],
        [
            [
                i.number,
                i.customer_name,
                i.issue_date,
                i.due_date,
                i.days_past_due,
                BUCKET_LABELS[i.bucket],
                i.gross,
                i.paid,
                i.reversed,
                i.balance,
            ]
            for i in items
        ],
        (f"As of {today.isoformat()}.",),
    )


def contracts_table(report: ExecutionReport) -> ExportTable:
    """Contract execution."""
    return ExportTable(
        "Contract execution",
        [
            "contract",
            "customer",
            "type",
            "status",
            "end",
            "contracted",
            "delivered",
            "invoiced (net)",
            "invoiced (gross)",
            "collected",
            "open balance",
            *FLAGS,
        ],
        [
            [
                c.number,
                c.customer_name,
                c.type,
                c.status,
                c.end_date,
                c.amount,
                c.delivered,
                c.invoiced_net,
                c.invoiced_gross,
                c.collected,
                c.open_balance,
                *("yes" if f in c.flags else "" for f in FLAGS),
            ]
            for c in report.rows
        ],
        (f"As of {report.today.isoformat()}.",),
    )


def revenue_table(report: RevenueReport) -> ExportTable:
    """Revenue recognised, invoiced and collected per month and contract type."""
    rows: list[list[Cell]] = [
        [
            m,
            t,
            report.cell(m, t).recognised,
            report.cell(m, t).invoiced,
            report.cell(m, t).collected,
        ]
        for m in report.months
        for t in report.types
    ]
    return ExportTable(
        "Revenue",
        ["month", "contract type", "recognised", "invoiced (net)", "collected"],
        rows,
        ("Recognised: accepted milestones; operations service ratably over the term (CAS 14).",),
    )


def forecast_table(forecast_: Forecast, by: str) -> ExportTable:
    """The forecast by ``week`` or ``month``, with its assumptions as notes."""
    periods = forecast_.weeks if by == "week" else forecast_.months
    return ExportTable(
        f"Cash forecast by {by}",
        [by, "from", "to", "open invoices", "milestones", "total"],
        [[p.key, p.start, p.end, p.invoices, p.milestones, p.total] for p in periods],
        (
            *forecast_.assumptions,
            f"Beyond {forecast_.horizon_end.isoformat()}: {forecast_.beyond_horizon}",
        ),
    )


def mismatches_table(items: list[Mismatch]) -> ExportTable:
    """Reconciliation mismatches."""
    return ExportTable(
        "Reconciliation",
        [
            "kind",
            "entity",
            "record",
            "hub id",
            "customer id",
            "system A",
            "system B",
            "value A",
            "value B",
            "remote A",
            "remote B",
            "last run A",
            "last run B",
            "detail",
        ],
        [
            [
                m.kind,
                m.entity,
                m.label,
                m.hub_id,
                m.customer_id,
                m.system_a,
                m.system_b,
                m.value_a,
                m.value_b,
                m.remote_a,
                m.remote_b,
                m.last_run_a,
                m.last_run_b,
                m.detail,
            ]
            for m in items
        ],
    )


def customers_table(hits: list[CustomerHit]) -> ExportTable:
    """Customer search results."""
    return ExportTable(
        "Customers",
        ["number", "name", "tax id", "status", "systems", "open balance"],
        [
            [h.number, h.name, h.tax_id, h.status, ", ".join(h.systems), h.open_balance]
            for h in hits
        ],
    )


def alerts_tables(report: RiskAlerts) -> dict[str, ExportTable]:
    """The dashboard's two lists."""
    return {
        "overdue": invoices_table(report.overdue, report.today),
        "slipped": ExportTable(
            "Slipped milestones",
            ["milestone", "contract", "customer", "due", "days late", "status", "value"],
            [
                [
                    m.name,
                    m.contract_number,
                    m.customer_name,
                    m.due_date,
                    m.days_late,
                    m.status,
                    m.value,
                ]
                for m in report.slipped
            ],
        ),
    }


def customer_tables(view: Customer360) -> dict[str, ExportTable]:
    """The 360 page's invoices and payments."""
    return {
        "invoices": ExportTable(
            f"Invoices {view.name}",
            ["invoice", "status", "issued", "due", "net", "tax", "gross", "paid", "open balance"],
            [
                [
                    i.number,
                    i.status,
                    i.issue_date,
                    i.due_date,
                    i.net,
                    i.tax,
                    i.gross,
                    i.paid,
                    i.balance,
                ]
                for i in view.invoices
            ],
        ),
        "payments": ExportTable(
            f"Payments {view.name}",
            ["payment", "invoice", "received", "method", "amount"],
            [
                [p.number, p.invoice_number, p.received_on, p.method, p.amount]
                for p in view.payments
            ],
        ),
    }
