"""The Zoho connector's streams beyond the acceptance suite, against the sandbox over HTTP."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from connectors.sdk import Page, WriteRequest
from connectors.sdk.sandbox import SandboxServer
from connectors.zoho_crm import ZohoCrmConnector
from connectors.zoho_crm.sandbox import ZohoCrmSandbox


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(ZohoCrmSandbox(seed=7, companies=12)) as running:
        yield running


async def read(connector: ZohoCrmConnector, stream: str, since: Any = None) -> list[Page]:
    return [page async for page in connector.read(stream, since)]


async def test_milestones_are_subform_rows_with_their_contract(server: SandboxServer) -> None:
    sandbox = server.sandbox
    async with ZohoCrmConnector(server.connector_config()) as zoho:
        pages = await read(zoho, "contract_milestones")
        rows = [r for p in pages for r in p.records]
        assert {r["id"] for r in rows} == sandbox.remote_ids("contract_milestones")
        contracts = sandbox.remote_ids("contracts")
        assert all(r["Parent_Id"]["id"] in contracts for r in rows)
        assert all(isinstance(r["Amount"], Decimal) for r in rows)
        one = rows[0]
        sandbox.touch("contract_milestones", [one["id"]])
        changed = await read(zoho, "contract_milestones", pages[-1].cursor)
        parent_rows = [r for p in changed for r in p.records]
        assert one["id"] in {r["id"] for r in parent_rows}
        assert {r["Parent_Id"]["id"] for r in parent_rows} == {one["Parent_Id"]["id"]}


async def test_milestone_writes_go_through_the_parent_and_are_idempotent(
    server: SandboxServer,
) -> None:
    sandbox = server.sandbox
    contract = next(iter(sandbox.remote_ids("contracts")))
    before = sandbox.get_record("contracts", contract)
    assert before is not None
    kept = {row["id"] for row in before["Milestones"]}
    row = {
        "Parent_Id": {"id": contract},
        "Milestone_Name": "终验",
        "Due_Date": "2026-09-30",
        "Amount": Decimal("12000.50"),
        "Milestone_Status": "Planned",
    }
    async with ZohoCrmConnector(server.connector_config()) as zoho:
        created, orphan = await zoho.write(
            "contract_milestones",
            [WriteRequest(row, "ms-hub-1"), WriteRequest({"Milestone_Name": "x"}, "ms-hub-2")],
        )
        retried = (await zoho.write("contract_milestones", [WriteRequest(row, "ms-hub-1")]))[0]
        updated = (
            await zoho.write(
                "contract_milestones",
                [
                    WriteRequest(
                        {**row, "Milestone_Status": "Accepted"}, "ms-hub-1", created.remote_id
                    )
                ],
            )
        )[0]
        found = await zoho.lookup("contract_milestones", ["ms-hub-1"])
    assert created.status == "created"
    assert created.remote_id
    assert orphan.status == "failed"
    assert orphan.field == "Parent_Id"
    assert (retried.status, retried.remote_id) == ("updated", created.remote_id)
    assert (updated.status, updated.remote_id) == ("updated", created.remote_id)
    after = sandbox.get_record("contracts", contract)
    assert after is not None
    assert {r["id"] for r in after["Milestones"]} == kept | {created.remote_id}
    assert (
        sandbox.get_record("contract_milestones", created.remote_id)["Milestone_Status"]
        == "Accepted"
    )  # type: ignore[index]
    assert found["ms-hub-1"]["Parent_Id"]["id"] == contract


async def test_invoices_carry_line_items_and_exact_totals(server: SandboxServer) -> None:
    sandbox = server.sandbox
    sample = sandbox.sample_record("invoices", 42)
    existing = sandbox.remote_ids("invoices")
    async with ZohoCrmConnector(server.connector_config()) as zoho:
        invoices = [r for p in await read(zoho, "invoices") for r in p.records]
        [written] = await zoho.write("invoices", [WriteRequest(sample, "inv-hub-42")])
        again = [
            r
            for p in await read(zoho, "invoices")
            for r in p.records
            if r["id"] == written.remote_id
        ]
    assert {r["id"] for r in invoices} == existing
    for invoice in invoices:
        items = invoice["Invoiced_Items"]
        assert items
        assert all(item["Parent_Id"]["id"] == invoice["id"] for item in items)
        assert (
            invoice["Sub_Total"] + invoice["Tax"] + invoice["Adjustment"] == invoice["Grand_Total"]
        )
    assert again[0]["Grand_Total"] == Decimal("1104.52")  # 1042 + 6% VAT (62.52)
    assert again[0]["SyncHub_ID"] == "inv-hub-42"


async def test_deals_are_read_only_and_deletions_are_reported(server: SandboxServer) -> None:
    sandbox = server.sandbox
    async with ZohoCrmConnector(server.connector_config()) as zoho:
        assert len([r for p in await read(zoho, "deals") for r in p.records]) == len(
            sandbox.remote_ids("deals")
        )
        with pytest.raises(Exception, match="does not support write"):
            await zoho.write("deals", [WriteRequest({"Deal_Name": "x"}, "k")])
        first = [p async for p in zoho.read_deleted("contacts")]
        gone = sorted(sandbox.remote_ids("contacts"))[:3]
        sandbox.delete("contacts", gone)
        later = [p async for p in zoho.read_deleted("contacts", first[-1].cursor)]
        tombstones = [r for p in later for r in p.records]
        assert sorted(t["id"] for t in tombstones) == gone
        assert all(t["type"] == "recycle" and t["deleted_time"] for t in tombstones)
        repeat = [p async for p in zoho.read_deleted("contacts", later[-1].cursor)]
        assert [r for p in repeat for r in p.records] == []


async def test_edits_during_a_read_are_neither_lost_nor_doubled(server: SandboxServer) -> None:
    """Keyset paging: a record edited after its page was read moves forward; nobody is skipped."""
    sandbox = server.sandbox
    sandbox.clock.freeze((datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0))
    ids = sandbox.reset("accounts", 450)
    for n, rid in enumerate(ids):
        if n % 3 == 0:
            sandbox.clock.advance(1)  # three records a second, as a busy import would stamp them
        sandbox.touch("accounts", [rid])
    seen: list[str] = []
    edited: list[str] = []
    async with ZohoCrmConnector(server.connector_config()) as zoho:
        async for page in zoho.read("accounts"):
            seen += [r["id"] for r in page.records]
            if not edited:
                edited = seen[:5]
                sandbox.clock.advance(600)
                sandbox.touch("accounts", edited)  # already read: they move to the end
    counts = Counter(seen)
    assert set(counts) == set(ids)
    assert {rid for rid, n in counts.items() if n > 1} == set(edited)
    assert max(counts.values()) == 2


async def test_check_names_a_missing_module(server: SandboxServer) -> None:
    config = {**server.connector_config(), "payments_module": "Receipts"}
    async with ZohoCrmConnector(config) as zoho:
        result = await zoho.check()
    async with ZohoCrmConnector(server.connector_config()) as zoho:
        fields = await zoho.discover()
    assert not result.ok
    assert "'Receipts' is missing" in result.message
    assert {f.name for f in fields["contract_milestones"]} >= {
        "Milestone_Name",
        "Parent_Id",
        "SyncHub_ID",
    }
    lookups = {f.name: f.reference for f in fields["invoices"]}
    assert lookups["Account_Name"] == "Accounts"
    assert lookups["Invoiced_Items"] == "Invoiced_Items"
