"""The finance workspace in a real browser: each page as the finance user, figures against the data set.

The store holds the hand-computed data set of tests/integration/finance and the
pages' business date is frozen at its day, so every figure checked here is one
worked out by hand there. A screenshot of each page goes to test-artifacts/browser.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from web_support import LiveServer, make_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration" / "finance"))

import finance_dataset as ds

from hub.auth import create_user
from hub.finance.reconcile_runs import run_reconciliation
from hub.store import make_engine
from hub.web.app import create_app
from hub.web.finance import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "finance-password-0123"


@pytest.fixture
def finance_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A live hub on the data set, reconciled once, with a finance user."""
    settings = make_settings(tmp_path)
    engine: Engine = make_engine(settings.database_url)
    ds.load(engine)
    create_user(engine, "finance", PASSWORD, "finance", actor="test")
    run_reconciliation(engine, ds.SHANGHAI)
    monkeypatch.setattr(data, "business_today", lambda zone, now=None: ds.TODAY)
    server = LiveServer(create_app(settings, engine)).start()
    yield server.url
    server.stop()
    engine.dispose()


def _cell(page: Page, row: str, column: str) -> str:
    return page.locator(f"{row} {column}").first.inner_text().strip()


def test_finance_pages_in_the_browser(browser: Browser, shots: Path, finance_hub: str) -> None:
    url = finance_hub
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page.goto(f"{url}/lang/en?next=/login")
    page.fill("input[name=username]", "finance")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{url}/finance")
    expect(page).to_have_url(f"{url}/finance/alerts")
    expect(page.locator("[data-figure=overdue-total]")).to_have_text("86,659.45")
    expect(page.locator("[data-figure=slipped-count]")).to_have_text("1")
    expect(page.locator("[data-figure=mismatches]")).to_have_text("6")
    expect(page.locator("#slipped-table")).to_contain_text("上线验收")
    expect(page.locator(".sidebar")).to_contain_text("Reconciliation")
    expect(page.locator(".sidebar")).not_to_contain_text("Connectors")
    page.screenshot(path=shots / "finance-01-dashboard.png", full_page=True)

    page.goto(f"{url}/finance/ageing")
    total = "#ageing-total"
    expected = {
        "not_due": "10,600.00",
        "d1_30": "42,599.45",
        "d31_60": "1,060.00",
        "d61_90": "21,200.00",
        "over_90": "21,800.00",
        "total": "97,259.45",
    }
    for bucket, amount in expected.items():
        assert _cell(page, total, f"[data-bucket={bucket}]") == amount
    expect(page.locator("svg.chart")).to_be_visible()
    page.screenshot(path=shots / "finance-02-ageing.png", full_page=True)
    page.click(f"{total} [data-bucket=over_90] a")
    expect(page.locator("#invoices-table tbody tr")).to_have_count(1)
    expect(page.locator("[data-invoice=FP2025000001]")).to_contain_text("21,800.00")
    page.screenshot(path=shots / "finance-03-ageing-drill-down.png", full_page=True)

    page.goto(f"{url}/finance/contracts")
    expect(page.locator("[data-flag-count=delivered_not_invoiced] .figure")).to_have_text("2")
    k1 = "[data-contract=HT2026K1]"
    assert _cell(page, k1, "[data-col=delivered]") == "70,000.00"
    assert _cell(page, k1, "[data-col=invoiced]") == "30,000.00"
    assert _cell(page, k1, "[data-col=open]") == "21,800.00"
    expect(page.locator(f"{k1} [data-flag=delivered_not_invoiced]")).to_be_visible()
    expect(page.locator(f"{k1} [data-flag=past_end_open]")).to_be_visible()
    page.screenshot(path=shots / "finance-04-contracts.png", full_page=True)

    page.goto(f"{url}/finance/revenue?months=6")
    assert _cell(page, "[data-month='2025-12']", "[data-col=recognised]") == "26,664.17"
    assert _cell(page, "[data-month='2026-02']", "[data-col=recognised]") == "49,205.48"
    assert _cell(page, "[data-month='2026-03']", "[data-type=operations_service]") == "5,260.27"
    assert _cell(page, "#revenue-total", "[data-col=collected]") == "49,300.55"
    page.screenshot(path=shots / "finance-05-revenue.png", full_page=True)

    page.goto(f"{url}/finance/forecast")
    for month, amount in ds.FORECAST_MONTHS.items():
        assert (
            _cell(page, f"#forecast-months [data-period='{month}']", "[data-col=total]")
            == f"{amount:,}"
        )
    expect(page.locator("[data-figure=forecast-beyond]")).to_have_text("31,800.00")
    expect(page.locator("#assumptions")).to_contain_text("paid 30 days later")
    page.screenshot(path=shots / "finance-06-forecast.png", full_page=True)

    page.goto(f"{url}/finance/reconciliation")
    expect(page.locator("[data-figure=mismatches]")).to_have_text("6")
    assert _cell(page, "#recon-totals [data-entity=invoice]", "[data-col=total_b]") == "155,560.99"
    expect(page.locator("[data-record=FP2026000010][data-kind=amount]")).to_contain_text("1061.00")
    page.screenshot(path=shots / "finance-07-reconciliation.png", full_page=True)
    page.click("#run-reconciliation")
    expect(page.locator(".flash.ok")).to_be_visible()

    page.goto(f"{url}/finance/customers")
    page.fill("#customer-search", "云链")
    page.press("#customer-search", "Enter")
    expect(page.locator("#customers-table tbody tr")).to_have_count(1)
    page.screenshot(path=shots / "finance-08-customer-search.png", full_page=True)
    page.click("#customers-table a")
    expect(page.locator("#customer-name")).to_have_text("杭州云链信息科技有限公司")
    expect(page.locator("[data-figure=open-balance]")).to_have_text("44,400.00")
    expect(page.locator("[data-milestone=M2]")).to_contain_text("Delivered, not invoiced")
    expect(page.locator("[data-field=tax_id]")).to_contain_text("from erp")
    page.screenshot(path=shots / "finance-09-customer-360.png", full_page=True)

    with page.expect_download() as download:
        page.click("#invoices ~ * a.export-xlsx, h2 a.export-xlsx >> nth=0")
    assert download.value.suggested_filename.endswith(".xlsx")
    page.close()
