"""Dead letters name the bad field and are delivered once fixed at the source; a dry run
writes nothing anywhere; a quiet incremental run costs one listing request per stream."""

from __future__ import annotations

import asyncio

from e2e_support import Hub
from sqlalchemy import func, select

from hub.demo.run import CRM, ERP, PIPELINE
from hub.model import ENTITIES
from hub.sync import dlq, repo
from hub.sync.runner import run_pipeline


def test_invalid_tax_id_is_dead_lettered_naming_the_field_and_retried_after_the_fix(
    hub: Hub,
) -> None:
    hub.run()
    letters = [
        x
        for x in dlq.list_letters(hub.demo.engine)
        if x["connector"] == CRM and x["stream"] == "accounts"
    ]
    assert letters, "the demo plants a mistyped tax id in the CRM"
    letter = letters[0]
    assert letter["stage"] == "validate"
    assert letter["field"] == "tax_id"
    assert "tax_id=" in letter["error"]
    assert "check character" in letter["error"]
    assert letter["payload"]["Tax_ID"] == letter["error"].split("tax_id='")[1].split("'")[0]

    account_id = letter["remote_id"]
    bad = letter["payload"]["Tax_ID"]
    fixed = next(
        code for code in (bad[:-1] + c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY") if _valid(code)
    )
    hub.zoho().update("Accounts", account_id, {"Tax_ID": fixed})

    report = asyncio.run(dlq.retry(hub.settings, hub.demo.engine, [letter["id"]], actor="test"))

    assert report.resolved == [letter["id"]]
    assert dlq.get_letter(hub.demo.engine, letter["id"]) is None
    link = hub.link(CRM, "customer", remote_id=account_id)
    assert link is not None
    with hub.demo.engine.connect() as conn:
        assert (
            repo.rows_by_id(conn, "customer", [link["hub_id"]])[link["hub_id"]]["tax_id"] == fixed
        )
        audit = conn.execute(
            select(repo.AUDIT.c.action).where(repo.AUDIT.c.action == "dlq.resolved")
        ).all()
    assert audit, "a delivered dead letter leaves an audit line"
    hub.run()
    assert hub.link(ERP, "customer", hub_id=link["hub_id"]) is not None  # and it reached finance


def _valid(code: str) -> bool:
    from connectors.sdk.cn import is_valid_uscc

    return is_valid_uscc(code)


def test_dry_run_reports_what_it_would_write_and_writes_nothing_anywhere(hub: Hub) -> None:
    before = hub.writes()
    result = asyncio.run(run_pipeline(hub.settings, hub.demo.engine, PIPELINE, dry_run=True))

    assert result.error is None
    creates = [w for w in result.would if w["action"] == "create"]
    assert {w["binding"] for w in creates} >= {"crm.accounts", "erp.customers", "crm.invoices"}
    assert result.total().created > 0
    assert hub.writes() == before
    with hub.demo.engine.connect() as conn:
        for entity in ENTITIES:
            assert (
                conn.execute(
                    select(func.count()).select_from(repo.entity_table(entity))
                ).scalar_one()
                == 0
            )
        assert conn.execute(select(func.count()).select_from(repo.LINK)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(repo.CURSOR)).scalar_one() == 0


def test_incremental_run_without_remote_changes_lists_each_stream_once_and_writes_nothing(
    hub: Hub,
) -> None:
    hub.run()
    hub.run()
    hub.run()  # converged
    crm_before = dict(hub.crm.sandbox.requests)
    erp_before = dict(hub.erp.sandbox.requests)
    writes = hub.writes()

    result = hub.run()

    crm_new = {
        k: n - crm_before.get(k, 0)
        for k, n in hub.crm.sandbox.requests.items()
        if n != crm_before.get(k, 0)
    }
    erp_new = {
        k: n - erp_before.get(k, 0)
        for k, n in hub.erp.sandbox.requests.items()
        if n != erp_before.get(k, 0)
    }
    crm_lists = {
        path: n
        for (method, path), n in crm_new.items()
        if method == "GET" and path.startswith("/crm/")
    }
    crm_pulls = [
        b for b in hub.settings.pipelines[PIPELINE].streams if b.connector == CRM and b.pulls
    ]
    # contract_milestones reads the Contracts module too: one listing each, no detail calls
    assert crm_lists == {"/crm/v8/Accounts": 1, "/crm/v8/Contacts": 1, "/crm/v8/Contracts": 2}, (
        crm_new
    )
    assert sum(crm_lists.values()) == len(crm_pulls)
    assert set(crm_new) <= {("POST", "/oauth/v2/token"), *(("GET", p) for p in crm_lists)}
    queries = sum(n for (_, path), n in erp_new.items() if "ExecuteBillQuery" in path)
    erp_pulls = [
        b for b in hub.settings.pipelines[PIPELINE].streams if b.connector == ERP and b.pulls
    ]
    assert queries == len(erp_pulls)
    assert hub.writes() == writes
    total = result.total()
    assert (total.created, total.updated, total.pushed_created, total.pushed_updated) == (
        0,
        0,
        0,
        0,
    )
