"""Every finance page answers the finance user with the data set's figures; others are kept out."""

from __future__ import annotations

import io
from collections.abc import Callable

import finance_dataset as ds
import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from web_support import LiveServer

from hub.finance.reconcile_runs import run_reconciliation

Login = Callable[..., tuple[httpx.Client, str]]
PAGES = (
    "/finance/alerts",
    "/finance/customers",
    "/finance/customers/C1",
    "/finance/contracts",
    "/finance/ageing",
    "/finance/ageing/invoices",
    "/finance/revenue",
    "/finance/forecast",
    "/finance/reconciliation",
)


def test_only_finance_and_admin_see_finance_pages(
    finance_store: Engine, live: LiveServer, sign_in: Login
) -> None:
    for role, allowed in (
        ("finance", True),
        ("admin", True),
        ("viewer", False),
        ("operator", False),
    ):
        client, _ = sign_in(role)
        for path in PAGES:
            answer = client.get(path)
            assert answer.status_code == (200 if allowed else 403), (role, path)
    anonymous = httpx.get(f"{live.url}/finance/ageing", follow_redirects=False)
    assert anonymous.status_code in (302, 303, 401)


def test_figures_on_the_pages(finance_store: Engine, sign_in: Login) -> None:
    run_reconciliation(finance_store, ds.SHANGHAI)
    client, _ = sign_in("finance")
    client.get("/lang/en")
    ageing = client.get("/finance/ageing").text
    for amount in ("10,600.00", "42,599.45", "1,060.00", "21,200.00", "21,800.00", "97,259.45"):
        assert amount in ageing
    assert "<svg" in ageing
    over_90 = client.get("/finance/ageing/invoices", params={"bucket": "over_90"}).text
    assert "FP2025000001" in over_90
    assert "FP2026000002" not in over_90
    contracts = client.get("/finance/contracts", params={"flag": "delivered_not_invoiced"}).text
    assert 'data-contract="HT2026K1"' in contracts
    assert 'data-contract="HT2026K5"' in contracts
    assert 'data-contract="HT2026K2"' not in contracts
    revenue = client.get("/finance/revenue", params={"months": 6}).text
    assert "26,664.17" in revenue
    assert "5,260.27" in revenue
    forecast = client.get("/finance/forecast").text
    for amount in ("97,259.45", "80,204.02", "56,536.51", "86,659.45"):
        assert amount in forecast
    assert "paid 30 days later" in forecast
    dashboard = client.get("/finance", follow_redirects=True).text
    assert "86,659.45" in dashboard
    assert "上线验收" in dashboard
    customer = client.get("/finance/customers/C1").text
    assert "44,400.00" in customer
    assert "杭州云链信息科技有限公司" in customer
    search = client.get("/finance/customers", params={"q": "数信"}).text
    assert 'data-customer="C2"' in search
    assert 'data-customer="C1"' not in search
    assert client.get("/finance/customers/nope").status_code == 404
    recon = client.get("/finance/reconciliation").text
    assert "FP2026000010" in recon
    assert "155,560.99" in recon


def test_run_reconciliation_from_the_page(finance_store: Engine, sign_in: Login) -> None:
    client, csrf = sign_in("finance")
    client.get("/lang/en")
    assert "No reconciliation has run yet." in client.get("/finance/reconciliation").text
    refused = client.post("/finance/reconciliation/run")  # no CSRF token
    assert refused.status_code in (400, 403)
    answer = client.post("/finance/reconciliation/run", data={"csrf_token": csrf})
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    assert 'data-figure="mismatches">6<' in page
    viewer, viewer_csrf = sign_in("viewer")
    assert (
        viewer.post("/finance/reconciliation/run", data={"csrf_token": viewer_csrf}).status_code
        == 403
    )


@pytest.mark.parametrize(
    "path",
    [
        "ageing",
        "invoices",
        "contracts",
        "revenue",
        "forecast-weeks",
        "forecast-months",
        "reconciliation",
        "customers",
        "alerts-overdue",
        "alerts-slipped",
        "customer-invoices",
        "customer-payments",
    ],
)
def test_every_table_exports(finance_store: Engine, sign_in: Login, path: str) -> None:
    run_reconciliation(finance_store, ds.SHANGHAI)
    client, _ = sign_in("finance")
    params = {"id": "C1"} if path.startswith("customer-") else {}
    csv_answer = client.get(f"/finance/export/{path}.csv", params=params)
    assert csv_answer.status_code == 200
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_answer.headers["content-disposition"]
    xlsx = client.get(f"/finance/export/{path}.xlsx", params=params)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet.max_row >= 2


def test_export_figures_and_bad_parameters(finance_store: Engine, sign_in: Login) -> None:
    client, _ = sign_in("finance")
    text = client.get("/finance/export/ageing.csv").content.decode("utf-8-sig")
    assert "TOTAL,,10600.00,42599.45,1060.00,21200.00,21800.00,97259.45,6" in text
    assert client.get("/finance/export/ageing.pdf").status_code == 404
    assert client.get("/finance/export/nothing.csv").status_code == 404
    assert client.get("/finance/contracts", params={"flag": "bogus"}).status_code == 422
    assert client.get("/finance/ageing/invoices", params={"bucket": "x"}).status_code == 422
