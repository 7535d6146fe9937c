"""The finance workspace pages: dashboard, customer 360, contracts, ageing, revenue, forecast, 对账.

Every route requires the finance role (admin always passes, viewers and operators
do not: these pages show receivables and customers' money). Handlers are plain
functions, so FastAPI runs them in its thread pool; each page's figures come from
``hub.web.finance.data`` and its CSV/XLSX export from the same data, at
``/finance/export/<table>.<csv|xlsx>`` with the page's own query parameters.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from hub.auth import User
from hub.auth.roles import FINANCE
from hub.finance.ageing import BUCKET_LABELS, BUCKETS
from hub.finance.charts import Series, grouped_bars, stacked_bars
from hub.finance.contracts import FLAG_LABELS, FLAGS, SORTS
from hub.finance.exports import FORMATS, MEDIA_TYPES, ExportTable
from hub.finance.exports import render as render_export
from hub.finance.fields import field_rules
from hub.finance.reconcile import KINDS
from hub.finance.reconcile_runs import run_reconciliation
from hub.finance.sql import business_today
from hub.settings import Settings, SettingsError
from hub.web.deps import require_role
from hub.web.finance import data
from hub.web.nav import NavItem, NavSection, add_section
from hub.web.services.paging import offset_param
from hub.web.state import hub_state
from hub.web.templating import render

router = APIRouter(include_in_schema=False)
finance_user = require_role(*FINANCE)
ENTITIES = ("customer", "contract", "milestone", "invoice", "payment")

add_section(
    NavSection(
        "finance",
        "finance.nav.section",
        (
            NavItem("finance.nav.dashboard", "/finance/alerts", FINANCE),
            NavItem("finance.nav.customers", "/finance/customers", FINANCE),
            NavItem("finance.nav.contracts", "/finance/contracts", FINANCE),
            NavItem("finance.nav.ageing", "/finance/ageing", FINANCE),
            NavItem("finance.nav.revenue", "/finance/revenue", FINANCE),
            NavItem("finance.nav.forecast", "/finance/forecast", FINANCE),
            NavItem("finance.nav.reconciliation", "/finance/reconciliation", FINANCE),
        ),
        order=30,
    )
)


def _effective(request: Request) -> Settings:
    """Settings with the connectors and pipelines stored from the UI (hub.yaml's if unreadable).

    Finance pages need only connector types, record-link templates and mappings from them.
    """
    state = hub_state(request)
    try:
        return state.effective()
    except SettingsError:
        return state.settings


def _ctx(request: Request) -> data.Ctx:
    state = hub_state(request)
    return data.Ctx.of(state.settings, state.engine)


def _export_links(request: Request, table: str) -> dict[str, str]:
    query = urlencode(
        [(k, v) for k, v in request.query_params.items() if k not in ("offset", "limit")]
    )
    suffix = f"?{query}" if query else ""
    return {fmt: f"/finance/export/{table}.{fmt}{suffix}" for fmt in FORMATS}


def _pager(request: Request, total: int, limit: int, offset: int) -> dict[str, Any]:
    def link(new_offset: int) -> str:
        params = dict(request.query_params)
        params.update(offset=str(new_offset), limit=str(limit))
        return f"{request.url.path}?{urlencode(params)}"

    return {
        "total": total,
        "start": offset + 1 if total else 0,
        "end": min(offset + limit, total),
        "previous": link(max(offset - limit, 0)) if offset > 0 else None,
        "next": link(offset + limit) if offset + limit < total else None,
    }


@router.get("/finance")
def finance_home(user: User = Depends(finance_user)) -> Response:
    """The workspace opens on the risk alerts."""
    return RedirectResponse("/finance/alerts", status_code=303)


@router.get("/finance/alerts")
def dashboard(request: Request, user: User = Depends(finance_user)) -> Response:
    """Risk alerts: overdue receivables, slipped milestones, reconciliation mismatches."""
    report = data.alerts(_ctx(request))
    return render(
        request,
        "finance/dashboard.html",
        {
            "alerts": report,
            "exports": {k: _export_links(request, f"alerts-{k}") for k in ("overdue", "slipped")},
        },
    )


@router.get("/finance/customers")
def customers(
    request: Request, q: str = Query("", max_length=200), user: User = Depends(finance_user)
) -> Response:
    """Search customers across every linked system."""
    hits = data.customers(_ctx(request), q)
    return render(
        request,
        "finance/customers.html",
        {"q": q, "hits": hits, "exports": _export_links(request, "customers")},
    )


@router.get("/finance/customers/{customer_id}")
def customer(request: Request, customer_id: str, user: User = Depends(finance_user)) -> Response:
    """One customer's 360 view."""
    ctx = data.Ctx.of(_effective(request), hub_state(request).engine)
    view = data.customer(ctx, customer_id)
    if view is None:
        raise HTTPException(404, "no such customer")
    base = f"/finance/export/customer-{{}}.{{}}?id={customer_id}"
    exports = {
        name: {fmt: base.format(name, fmt) for fmt in FORMATS} for name in ("invoices", "payments")
    }
    return render(
        request,
        "finance/customer.html",
        {"view": view, "today": ctx.today, "exports": exports, "flag_labels": FLAG_LABELS},
    )


@router.get("/finance/contracts")
def contracts(
    request: Request,
    flag: str | None = Query(None),
    q: str = Query("", max_length=200),
    sort: str = Query("number"),
    desc: bool = Query(False),
    limit: int = Query(data.PAGE, ge=1, le=500),
    offset: int = offset_param(),
    user: User = Depends(finance_user),
) -> Response:
    """Contract execution with flags."""
    _check(flag, FLAGS, "flag")
    _check(sort, tuple(SORTS), "sort")
    report = data.contracts(
        _ctx(request),
        flag=flag or None,
        search=q or None,
        sort=sort,
        descending=desc,
        limit=limit,
        offset=offset,
    )
    return render(
        request,
        "finance/contracts.html",
        {
            "report": report,
            "flag": flag,
            "q": q,
            "sort": sort,
            "desc": desc,
            "flags": FLAGS,
            "flag_labels": FLAG_LABELS,
            "pager": _pager(request, report.matches, limit, offset),
            "exports": _export_links(request, "contracts"),
        },
    )


@router.get("/finance/ageing")
def ageing(
    request: Request,
    q: str = Query("", max_length=200),
    limit: int = Query(data.PAGE, ge=1, le=500),
    offset: int = offset_param(),
    user: User = Depends(finance_user),
) -> Response:
    """Open receivables by customer and bucket, with the chart."""
    report = data.ageing(_ctx(request), q or None, limit, offset)
    chart = stacked_bars(
        "AR ageing",
        [BUCKET_LABELS[b] for b in BUCKETS],
        [Series("open balance", [report.totals[b] for b in BUCKETS])],
    )
    return render(
        request,
        "finance/ageing.html",
        {
            "report": report,
            "q": q,
            "buckets": BUCKETS,
            "labels": BUCKET_LABELS,
            "chart": Markup(chart),  # noqa: S704 (escaped SVG built by hub.finance.charts)
            "pager": _pager(request, report.customers, limit, offset),
            "exports": _export_links(request, "ageing"),
        },
    )


@router.get("/finance/ageing/invoices")
def ageing_invoices(
    request: Request,
    customer: str | None = Query(None, max_length=36),
    bucket: str | None = Query(None),
    limit: int = Query(100, ge=1, le=500),
    offset: int = offset_param(),
    user: User = Depends(finance_user),
) -> Response:
    """The drill-down: open invoices of a customer and/or bucket."""
    _check(bucket, BUCKETS, "bucket")
    ctx = _ctx(request)
    items, total = data.invoices(ctx, customer or None, bucket or None, limit, offset)
    return render(
        request,
        "finance/invoices.html",
        {
            "items": items,
            "total": total,
            "bucket": bucket,
            "customer": customer,
            "labels": BUCKET_LABELS,
            "today": ctx.today,
            "pager": _pager(request, total, limit, offset),
            "exports": _export_links(request, "invoices"),
        },
    )


@router.get("/finance/revenue")
def revenue(
    request: Request, months: int = Query(12, ge=1, le=36), user: User = Depends(finance_user)
) -> Response:
    """Revenue recognised by month and contract type, next to invoiced and collected."""
    report = data.revenue(_ctx(request), months)
    totals = [report.month_total(m) for m in report.months]
    chart = grouped_bars(
        "Revenue",
        report.months,
        [
            Series("recognised", [c.recognised for c in totals]),
            Series("invoiced", [c.invoiced for c in totals]),
            Series("collected", [c.collected for c in totals]),
        ],
    )
    return render(
        request,
        "finance/revenue.html",
        {
            "report": report,
            "totals": totals,
            "months": months,
            "chart": Markup(chart),  # noqa: S704 (escaped SVG built by hub.finance.charts)
            "exports": _export_links(request, "revenue"),
        },
    )


@router.get("/finance/forecast")
def forecast(request: Request, user: User = Depends(finance_user)) -> Response:
    """Expected receipts by week and month for six months, with the assumptions."""
    result = data.forecast(_ctx(request))
    months_chart = stacked_bars(
        "Cash forecast by month",
        [m.key for m in result.months],
        [
            Series("open invoices", [m.invoices for m in result.months]),
            Series("milestones", [m.milestones for m in result.months]),
        ],
    )
    weeks_chart = stacked_bars(
        "Cash forecast by week",
        [w.key[5:] for w in result.weeks],
        [
            Series("open invoices", [w.invoices for w in result.weeks]),
            Series("milestones", [w.milestones for w in result.weeks]),
        ],
    )
    return render(
        request,
        "finance/forecast.html",
        {
            "forecast": result,
            "months_chart": Markup(months_chart),  # noqa: S704 (escaped SVG)
            "weeks_chart": Markup(weeks_chart),  # noqa: S704 (escaped SVG)
            "exports": {
                "month": _export_links(request, "forecast-months"),
                "week": _export_links(request, "forecast-weeks"),
            },
        },
    )


@router.get("/finance/reconciliation")
def reconciliation(
    request: Request,
    kind: str | None = Query(None),
    entity: str | None = Query(None),
    limit: int = Query(100, ge=1, le=500),
    offset: int = offset_param(),
    ran: bool = Query(False),
    user: User = Depends(finance_user),
) -> Response:
    """The latest reconciliation: totals per entity and pair, differing customers, mismatches."""
    _check(kind, KINDS, "kind")
    _check(entity, ENTITIES, "entity")
    run, items, total = data.reconciliation(
        _ctx(request), kind or None, entity or None, limit, offset
    )
    return render(
        request,
        "finance/reconciliation.html",
        {
            "run": run,
            "items": items,
            "total": total,
            "kind": kind,
            "entity": entity,
            "kinds": KINDS,
            "entities": ENTITIES,
            "pager": _pager(request, total, limit, offset),
            "exports": _export_links(request, "reconciliation"),
            "flashes": [("ok", "finance.recon.ran")] if ran else [],
        },
    )


@router.post("/finance/reconciliation/run")
def reconcile_now(request: Request, user: User = Depends(finance_user)) -> Response:
    """Run a reconciliation now and show it."""
    settings = _effective(request)
    run_reconciliation(
        hub_state(request).engine,
        settings.zone,
        rules=field_rules(settings),
        trigger=f"user:{user.name}",
    )
    return RedirectResponse("/finance/reconciliation?ran=1", status_code=303)


@router.get("/finance/export/{table}.{fmt}")
def export(request: Request, table: str, fmt: str, user: User = Depends(finance_user)) -> Response:
    """A page's table as CSV or XLSX (all matching rows, up to 100,000)."""
    if fmt not in FORMATS:
        raise HTTPException(404, "exports are csv or xlsx")
    built = _export_table(request, table)
    filename = f"{table}-{business_today(hub_state(request).settings.zone).isoformat()}.{fmt}"
    return Response(
        render_export(built, fmt),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


EXPORT_ROWS = 100_000


def _export_table(request: Request, table: str) -> ExportTable:
    params = request.query_params
    ctx = _ctx(request)
    if table == "ageing":
        return data.ageing_table(data.ageing(ctx, params.get("q") or None, EXPORT_ROWS, 0))
    if table == "invoices":
        bucket = params.get("bucket") or None
        _check(bucket, BUCKETS, "bucket")
        items, _ = data.invoices(ctx, params.get("customer") or None, bucket, EXPORT_ROWS, 0)
        return data.invoices_table(items, ctx.today)
    if table == "contracts":
        flag = params.get("flag") or None
        _check(flag, FLAGS, "flag")
        return data.contracts_table(
            data.contracts(ctx, flag=flag, search=params.get("q") or None, limit=EXPORT_ROWS)
        )
    if table == "revenue":
        return data.revenue_table(data.revenue(ctx, _months(params.get("months"))))
    if table in ("forecast-weeks", "forecast-months"):
        return data.forecast_table(
            data.forecast(ctx), "week" if table.endswith("weeks") else "month"
        )
    if table == "reconciliation":
        kind, entity = params.get("kind") or None, params.get("entity") or None
        _check(kind, KINDS, "kind")
        _check(entity, ENTITIES, "entity")
        return data.mismatches_table(data.reconciliation(ctx, kind, entity, EXPORT_ROWS, 0)[1])
    if table == "customers":
        return data.customers_table(data.customers(ctx, params.get("q", ""), limit=1000))
    if table in ("alerts-overdue", "alerts-slipped"):
        return data.alerts_tables(data.alerts(ctx, limit=EXPORT_ROWS))[table.split("-")[1]]
    if table in ("customer-invoices", "customer-payments"):
        view = data.customer(
            data.Ctx.of(_effective(request), hub_state(request).engine), params.get("id", "")
        )
        if view is None:
            raise HTTPException(404, "no such customer")
        return data.customer_tables(view)[table.split("-")[1]]
    raise HTTPException(404, f"no export called {table}")


def _months(value: str | None) -> int:
    try:
        months = int(value or 12)
    except ValueError:
        raise HTTPException(422, "months must be a number from 1 to 36") from None
    if not 1 <= months <= 36:
        raise HTTPException(422, "months must be a number from 1 to 36")
    return months


def _check(value: str | None, allowed: tuple[str, ...], name: str) -> None:
    if value and value not in allowed:
        raise HTTPException(422, f"{name} must be one of {', '.join(allowed)}")
