"""The demo shows every finance flag, and ``synchub reconcile`` tracks its seeded mismatch.

The demo's CRM holds two customers whose tax id has a wrong check character
(``DemoPlan.mistyped_tax_ids``): they are dead-lettered, so the finance system's
copies of those customers, and their contracts, invoices and payments, never
reach the CRM. Reconciliation must report that (exit 1); once the tax ids are
corrected in the CRM, the dead letters retried and the pipeline run again, the
two systems agree (exit 0).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hub.cli.app import app
from hub.demo.run import CRM, PIPELINE, Demo, initial_sync, start
from hub.finance.alerts import risk_alerts
from hub.finance.contracts import contract_execution
from hub.finance.milestones import milestone_lines
from hub.finance.sql import Sql, business_today
from hub.sync import dlq, repo
from hub.sync.runner import run_pipeline

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    """The demo, started in a temporary folder and synced once."""
    for key in list(os.environ):
        if key.startswith("SYNCHUB_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("COLUMNS", "200")
    running = start(tmp_path / "demo")
    try:
        asyncio.run(initial_sync(running))
        yield running
    finally:
        running.stop()
        running.engine.dispose()


def _crm_client(demo: Demo) -> httpx.Client:
    """Zoho CRM's REST API as a person's browser would use it (not through the connector)."""
    creds = demo.servers[CRM].credentials()
    token = httpx.post(
        f"{creds['accounts_url']}/oauth/v2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
            "refresh_token": creds["refresh_token"],
        },
    ).json()
    return httpx.Client(
        base_url=token["api_domain"] + "/crm/v8",
        headers={"Authorization": f"Zoho-oauthtoken {token['access_token']}"},
    )


def _fix_tax_ids_in_the_crm(demo: Demo) -> None:
    sandbox = demo.servers[CRM].sandbox
    right = {c.key: c.tax_id for c in demo.plan.erp.companies}
    wrong = {c.key: c.tax_id for c in demo.plan.crm.companies}
    with _crm_client(demo) as client:
        for key in demo.plan.mistyped_tax_ids:
            account = next(
                rid
                for rid in sorted(sandbox.remote_ids("accounts"))
                if (sandbox.get_record("accounts", rid) or {}).get("Tax_ID") == wrong[key]
            )
            answer = client.put(f"/Accounts/{account}", json={"data": [{"Tax_ID": right[key]}]})
            assert answer.json()["data"][0]["status"] == "success", answer.text


def test_demo_flags_and_reconcile(demo: Demo) -> None:
    zone = demo.settings.zone
    today = business_today(zone)
    with demo.engine.connect() as conn:
        sql = Sql.of(conn, zone)
        execution = contract_execution(conn, sql, today, flag="delivered_not_invoiced", limit=500)
        alerts = risk_alerts(conn, sql, today, demo.settings.finance)
        lines = milestone_lines(conn, sql, today, [c.id for c in execution.rows])
    assert execution.flag_counts["delivered_not_invoiced"] >= 1
    assert any(m.delivered_not_invoiced > 0 for m in lines), "no accepted milestone left uninvoiced"
    assert alerts.overdue_count >= 1
    assert alerts.overdue[0].days_past_due > 0

    config = ["-c", str(demo.config_file)]
    seeded = runner.invoke(app, [*config, "reconcile"])
    assert seeded.exit_code == 1, seeded.output
    assert "Reconciliation: counts and totals per entity" in seeded.output
    assert "not in crm" in seeded.output

    _fix_tax_ids_in_the_crm(demo)
    with demo.engine.connect() as conn:
        letters = [
            r[0] for r in conn.execute(select(repo.DEAD.c.id).where(repo.DEAD.c.status == "open"))
        ]
    report = asyncio.run(dlq.retry(demo.settings, demo.engine, letters, actor="finance-test"))
    assert not report.failing
    asyncio.run(run_pipeline(demo.settings, demo.engine, PIPELINE, trigger="test"))
    fixed = runner.invoke(app, [*config, "reconcile"])
    assert fixed.exit_code == 0, fixed.output
    assert "No mismatches." in fixed.output
