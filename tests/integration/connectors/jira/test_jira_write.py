"""Writing over real sockets: bulk create, positions of failures, transitions, links, lookup."""

from __future__ import annotations

from typing import Any

import pytest
from jira_support import Recording, connector, milestone

from connectors.jira.sandbox import JiraSandbox
from connectors.jira.sandbox.model import EPIC_LINK_FIELD, EPIC_NAME_FIELD
from connectors.sdk import WriteRequest
from connectors.sdk.sandbox import SandboxServer


def _epic(sandbox: JiraSandbox) -> str:
    return sorted(sandbox.remote_ids("epics"), key=int)[0]


def _bulk_calls(sandbox: JiraSandbox) -> int:
    return sum(n for (method, path), n in sandbox.requests.items() if path.endswith("/issue/bulk"))


async def test_creates_go_through_bulk_create_fifty_at_a_time(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    epic = _epic(sandbox)
    requests = [milestone(f"M{n}", epic, key=f"bulk-{n}") for n in range(120)]
    async with connector(server) as conn:
        results = await conn.write("milestones", requests)
    assert _bulk_calls(sandbox) == 3
    assert [r.index for r in results] == list(range(120))
    assert all(r.status == "created" for r in results)
    for n, result in enumerate(results):
        issue = sandbox.issue_by_key(str(result.remote_id))
        assert issue is not None
        assert issue.summary == f"M{n}", "results must line up with their requests"
        assert {"synchub-milestone", f"synchub-bulk-{n}"} <= set(issue.labels)


async def test_partial_failures_are_reported_by_position(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    epic = _epic(sandbox)
    requests = [
        milestone("first", epic),
        WriteRequest({"fields": {"summary": "", "parent": {"id": epic}}}, "no-summary"),
        milestone("third", epic),
        milestone("bad date", epic, due="30/06/2026"),
        milestone("fifth", epic),
    ]
    async with connector(server) as conn:
        results = await conn.write("milestones", requests)
    assert [r.status for r in results] == ["created", "failed", "created", "failed", "created"]
    assert results[1].field == "summary"
    assert "summary" in (results[1].error or "")
    assert results[3].field == "duedate"
    assert "30/06/2026" in (results[3].error or "")
    summaries = [sandbox.issue_by_key(str(r.remote_id)).summary for r in results if r.ok]  # type: ignore[union-attr]
    assert summaries == ["first", "third", "fifth"]
    assert results[0].record is not None
    assert results[0].record["fields"]["summary"] == "first"


async def test_status_moves_only_through_transitions_walking_the_workflow(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    epic = _epic(sandbox)
    async with connector(server) as conn:
        created = await conn.write("milestones", [milestone("accept me", epic, to="done/Done")])
        rid = str(created[0].remote_id)
        issue = sandbox.issue_by_key(rid)
        assert issue is not None
        assert (issue.status, issue.resolution) == ("10001", "10000")  # Done / Done, two hops
        assert created[0].record is not None
        assert created[0].record["fields"]["resolution"]["name"] == "Done"

        redo = await conn.write(
            "milestones",
            [WriteRequest({"fields": {}, "transition_to": "done/Delivered"}, "k", remote_id=rid)],
        )
        assert redo[0].status == "updated", redo[0].error
        assert (issue.status, issue.resolution) == ("10001", "10003")  # reopened, done again

        back = await conn.write(
            "milestones",
            [WriteRequest({"fields": {}, "transition_to": "new"}, "k", remote_id=rid)],
        )
        assert back[0].status == "updated"
        assert (issue.status, issue.resolution) == ("10000", None)

        refused = await conn.write(
            "milestones",
            [
                WriteRequest({"fields": {"status": {"name": "Done"}}}, "k", remote_id=rid),
                WriteRequest({"fields": {}, "transition_to": "finished"}, "k", remote_id=rid),
            ],
        )
    assert refused[0].status == "failed"
    assert "transition" in (refused[0].error or "")
    assert refused[1].field == "transition_to"
    posts = [
        p for (m, p), n in sandbox.requests.items() if m == "POST" and p.endswith("/transitions")
    ]
    assert posts, "status changes went through the transitions endpoint"


async def test_a_failed_transition_after_create_keeps_the_remote_id(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    epic = _epic(sandbox)
    async with connector(server) as conn:
        results = await conn.write("milestones", [milestone("odd", epic, to="done/Nonsense")])
    result = results[0]
    assert result.status == "failed"
    assert result.remote_id is not None, "the issue exists: the caller must know it"
    assert "created issue" in (result.error or "")
    assert "resolution" in (result.error or "")


async def test_contract_epic_gets_labels_and_one_remote_link_however_often_written(
    sandbox: JiraSandbox, server: SandboxServer, flavour: str
) -> None:
    data: dict[str, Any] = {
        "fields": {
            "summary": "HT202600099 区块链平台开发项目",
            "labels": ["contract-HT202600099"],
            "description": "合同 HT202600099\n金额 120000.00 CNY",
        },
        "transition_to": "indeterminate",
    }
    async with connector(server) as conn:
        created = await conn.write("epics", [WriteRequest(data, "hub-contract-1")])
        rid = str(created[0].remote_id)
        again = await conn.write("epics", [WriteRequest(data, "hub-contract-1", remote_id=rid)])
        found = await conn.lookup("epics", ["hub-contract-1", "hub-unknown"])
    assert created[0].status == "created", created[0].error
    assert again[0].status == "updated", again[0].error
    issue = sandbox.issue_by_key(rid)
    assert issue is not None
    assert {"synchub-contract", "synchub-hub-contract-1", "contract-HT202600099"} <= set(
        issue.labels
    )
    assert [link.global_id for link in issue.remote_links] == ["synchub:contract=hub-contract-1"]
    assert issue.remote_links[0].object["url"] == "http://127.0.0.1:8000/contracts/hub-contract-1"
    assert list(found) == ["hub-contract-1"]
    assert found["hub-contract-1"]["id"] == rid
    record = created[0].record
    assert record is not None
    assert record["fields"]["description_text"] == "合同 HT202600099\n金额 120000.00 CNY"
    if flavour == "cloud":
        assert record["fields"]["description"]["type"] == "doc", "v3 carries ADF"
    else:
        assert issue.custom[EPIC_NAME_FIELD] == data["fields"]["summary"], "DC needs an Epic Name"


async def test_milestones_name_their_epic_the_way_the_flavour_does(
    sandbox: JiraSandbox, server: SandboxServer, flavour: str
) -> None:
    epic = _epic(sandbox)
    epic_key = sandbox.issue_by_key(epic).key  # type: ignore[union-attr]
    async with connector(server) as conn:
        results = await conn.write("milestones", [milestone("child", epic)])
    issue = sandbox.issue_by_key(str(results[0].remote_id))
    assert issue is not None
    if flavour == "cloud":
        assert issue.parent == int(epic)
    else:
        assert issue.parent is None
        assert issue.custom[EPIC_LINK_FIELD] == epic_key
    record = results[0].record
    assert record is not None
    assert record["fields"]["parent"]["id"] == epic


async def test_updates_add_labels_and_never_remove_peoples_own(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    epic = _epic(sandbox)
    async with connector(server) as conn:
        created = await conn.write("milestones", [milestone("labelled", epic, key="lab")])
        rid = str(created[0].remote_id)
        issue = sandbox.issue_by_key(rid)
        assert issue is not None
        issue.labels.append("urgent")  # a person's label
        data = {"fields": {"summary": "labelled, renamed", "labels": ["contract-HT1"]}}
        updated = await conn.write("milestones", [WriteRequest(data, "lab", remote_id=rid)])
    assert updated[0].status == "updated"
    assert issue.summary == "labelled, renamed"
    assert {"urgent", "contract-HT1", "synchub-lab", "synchub-milestone"} <= set(issue.labels)


async def test_lookup_finds_what_a_crashed_run_created(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    epic = _epic(sandbox)
    async with connector(server) as conn:
        created = await conn.write(
            "milestones", [milestone(f"crash {n}", epic, key=f"c{n}") for n in range(3)]
        )
    async with connector(server) as fresh:  # a new process after the crash
        found = await fresh.lookup("milestones", ["c0", "c2", "never-written"])
        none_for_epics = await fresh.lookup("epics", ["c0"])
    assert sorted(found) == ["c0", "c2"]
    assert found["c2"]["id"] == created[2].remote_id
    assert none_for_epics == {}, "a milestone's key is not an epic"


async def test_updating_a_deleted_issue_fails_alone(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    epic = _epic(sandbox)
    async with connector(server) as conn:
        created = await conn.write("milestones", [milestone("gone", epic), milestone("kept", epic)])
        gone, kept = (str(r.remote_id) for r in created)
        sandbox.delete("milestones", [gone])
        results = await conn.write(
            "milestones",
            [
                WriteRequest({"fields": {"summary": "gone?"}}, "a", remote_id=gone),
                WriteRequest({"fields": {"summary": "kept!"}}, "b", remote_id=kept),
            ],
        )
    assert results[0].status == "failed"
    assert results[0].vendor_code == "404"
    assert results[1].status == "updated"
    assert results[1].record is not None
    assert results[1].record["fields"]["summary"] == "kept!"


@pytest.mark.parametrize("flavour", ["cloud"])
async def test_read_back_sees_through_index_lag_with_reconcile(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    sandbox.set_index_lag(3600)
    epic = _epic(sandbox)
    log = Recording()
    async with connector(server, transport=log) as conn:
        results = await conn.write("milestones", [milestone("fresh", epic)])
    assert results[0].record is not None, "the written issue is read back despite the lag"
    searches = [b for _, path, b in log.sent if path.endswith("/search/jql")]
    assert searches[-1]["reconcileIssues"] == [int(str(results[0].remote_id))]
