"""mappings/jira on real sandbox records: inbound to valid canonical rows, and round trips.

Finance learns that a milestone is accepted from Jira's status category plus
resolution; these tests pin that the value map reads what both flavours send and
that every canonical status written out comes back as itself.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from jira_support import connector, read_all

from connectors.jira.sandbox import JiraSandbox
from connectors.sdk import WriteRequest
from connectors.sdk.sandbox import SandboxServer
from hub.mapping import MappingError, load_file
from hub.model import validate
from hub.model.enums import MilestoneStatus

MAPPINGS = Path(__file__).resolve().parents[4] / "mappings" / "jira"
STATE_OF = {
    ("10000", None): MilestoneStatus.PLANNED,
    ("3", None): MilestoneStatus.IN_PROGRESS,
    ("10001", "10003"): MilestoneStatus.DELIVERED,
    ("10001", "10000"): MilestoneStatus.ACCEPTED,
}


def _to_hub(entity: str, remote: str, key: str) -> str:
    return f"hub-{remote}"


def _to_remote(entity: str, hub: str, key: str) -> str:
    return hub.removeprefix("hub-")


async def test_every_sandbox_milestone_maps_to_a_valid_milestone(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    mapping = load_file(MAPPINGS / "milestone.yaml")
    async with connector(server) as conn:
        pages = await read_all(conn, "milestones")
    records = [r for p in pages for r in p.records]
    statuses = set()
    for record in records:
        mapped = mapping.apply_in(record, _to_hub)
        row = validate("milestone", mapped.values)
        issue = sandbox.issue_by_key(str(record["id"]))
        assert issue is not None
        assert row.status == STATE_OF[(issue.status, issue.resolution)]  # type: ignore[attr-defined]
        assert (
            row.contract_id
            == f"hub-{issue.parent or sandbox.issue_by_key(issue.custom['customfield_10100']).id}"
        )  # type: ignore[attr-defined, union-attr]
        assert (row.accepted_at is not None) == (row.status == MilestoneStatus.ACCEPTED)  # type: ignore[attr-defined]
        statuses.add(row.status)  # type: ignore[attr-defined]
    assert len(statuses) >= 3, f"the seeded business should show several states: {statuses}"


@pytest.mark.parametrize("status", list(MilestoneStatus))
async def test_each_status_written_out_reads_back_as_itself(
    sandbox: JiraSandbox, server: SandboxServer, status: MilestoneStatus
) -> None:
    mapping = load_file(MAPPINGS / "milestone.yaml")
    epic = sorted(sandbox.remote_ids("epics"), key=int)[0]
    canonical = {
        "contract_id": f"hub-{epic}",
        "name": f"验收 {status.value}",
        "due_date": date(2026, 9, 30),
        "status": status,
    }
    remote = mapping.apply_out(canonical, None, _to_remote)
    assert remote["transition_to"] in ("new", "indeterminate", "done/Delivered", "done/Done")
    async with connector(server) as conn:
        results = await conn.write("milestones", [WriteRequest(remote, f"ms-{status.value}")])
    assert results[0].status == "created", results[0].error
    record = results[0].record
    assert record is not None
    back = mapping.apply_in(record, _to_hub).values
    assert back["status"] == status
    assert back["name"] == canonical["name"]
    assert back["due_date"] == "2026-09-30"
    assert back["contract_id"] == f"hub-{epic}"


async def test_a_wont_do_milestone_is_not_guessed(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    mapping = load_file(MAPPINGS / "milestone.yaml")
    rid = next(
        r
        for r in sorted(sandbox.remote_ids("milestones"), key=int)
        if sandbox.issue_by_key(r).status == "3"  # type: ignore[union-attr]
    )
    sandbox.work_on(rid, "Done", "Won't Do")
    async with connector(server) as conn:
        found = await conn.lookup("milestones", [])
        assert found == {}
        pages = await read_all(conn, "milestones")
    record = next(r for p in pages for r in p.records if r["id"] == rid)
    with pytest.raises(MappingError, match="value map"):
        mapping.apply_in(record, _to_hub)


async def test_contract_goes_out_as_a_labelled_epic_and_its_number_comes_back(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    mapping = load_file(MAPPINGS / "contract.yaml")
    contract = {
        "number": "HT202600777",
        "title": "星图区块链平台开发项目",
        "amount": Decimal("480000.00"),
        "currency": "CNY",
        "end_date": date(2026, 12, 31),
        "payment_terms": "按里程碑验收后 30 天内付款",
        "status": "active",
    }
    remote = mapping.apply_out(contract, None, _to_remote)
    assert remote["fields"]["labels"] == ["contract-HT202600777"]
    assert remote["transition_to"] == "indeterminate"
    async with connector(server) as conn:
        results = await conn.write("epics", [WriteRequest(remote, "hub-contract-777")])
    assert results[0].status == "created", results[0].error
    record = results[0].record
    assert record is not None
    assert record["fields"]["summary"] == "HT202600777 星图区块链平台开发项目"
    assert "480000.00 CNY" in record["fields"]["description_text"]
    assert record["fields"]["status"]["statusCategory"]["key"] == "indeterminate"
    assert mapping.apply_in(record, _to_hub).values["number"] == "HT202600777"
