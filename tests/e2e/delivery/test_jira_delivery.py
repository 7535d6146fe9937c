"""Issue 6 end to end: a contract signed in the CRM becomes a Jira epic with one issue per
milestone; the delivery team's Done in Jira reaches the hub and the CRM as an accepted
milestone; running again creates nothing. Both Jira flavours, started empty."""

from __future__ import annotations

from delivery_support import (
    MILESTONES,
    crm_milestone_row,
    crm_writes,
    hub_milestone,
    milestone_states,
    pm_remote_id,
    pm_writes,
    sign_contract,
)
from e2e_support import Hub

from connectors.jira.sandbox import JiraSandbox
from connectors.jira.sandbox.model import EPIC_LINK_FIELD, STATUSES, Issue
from hub.demo.run import CRM, DELIVERY_PIPELINE, PM

NUMBER = "HT2026990001"
JIRA_READS = ("/search",)  # JQL searches are POSTed on Cloud; they change nothing


def _epics_of(sandbox: JiraSandbox, number: str) -> list[Issue]:
    issues = [sandbox.issue_by_key(rid) for rid in sandbox.remote_ids("epics")]
    return [i for i in issues if i is not None and f"contract-{number}" in i.labels]


def _children(sandbox: JiraSandbox, epic: Issue) -> list[Issue]:
    issues = [sandbox.issue_by_key(rid) for rid in sandbox.remote_ids("milestones")]
    return [
        i
        for i in issues
        if i is not None and (i.parent == epic.id or i.custom.get(EPIC_LINK_FIELD) == epic.key)
    ]


def test_signed_contract_becomes_an_epic_and_done_in_jira_is_accepted_in_the_crm(
    jira_hub: Hub,
) -> None:
    hub = jira_hub
    jira: JiraSandbox = hub.pm.sandbox  # type: ignore[assignment]
    assert jira.remote_ids("epics") == set()  # every epic comes from the CRM
    hub.run(DELIVERY_PIPELINE)
    seeded = milestone_states(hub)
    assert seeded
    assert jira.remote_ids("milestones")
    zoho = hub.zoho()
    contract = sign_contract(zoho, NUMBER)

    hub.run(DELIVERY_PIPELINE)

    [epic] = _epics_of(jira, NUMBER)
    assert epic.summary.startswith(NUMBER)
    children = sorted(_children(jira, epic), key=lambda i: i.duedate or "")
    assert [(c.summary, c.duedate) for c in children] == [(n, d) for n, d, _ in MILESTONES]
    assert {STATUSES[c.status].name for c in children} == {"To Do"}
    assert hub.link(PM, "contract", remote_id=str(epic.id)) is not None
    unchanged = {h: s for h, s in milestone_states(hub).items() if h in seeded}
    assert unchanged == seeded  # Jira's copies of existing milestones changed nothing back

    name = MILESTONES[1][0]
    jira.work_on(pm_remote_id(hub, contract, name), "Done", "Done")  # the customer signed off

    hub.run(DELIVERY_PIPELINE)

    row = hub_milestone(hub, contract, name)
    assert row["status"] == "accepted"
    assert row["accepted_at"] is not None
    crm_row = crm_milestone_row(zoho, contract, name)
    assert crm_row["Milestone_Status"] == "Accepted"
    assert crm_row["Accepted_Time"]
    others = [crm_milestone_row(zoho, contract, n)["Milestone_Status"] for n, _, _ in MILESTONES]
    assert others.count("Planned") == 2

    settle = hub.run(DELIVERY_PIPELINE).total()  # the CRM's copy of the acceptance, read back
    assert (settle.created, settle.pushed_created) == (0, 0)
    epics, issues = jira.remote_ids("epics"), jira.remote_ids("milestones")
    writes = (pm_writes(hub, JIRA_READS), crm_writes(hub))

    again = hub.run(DELIVERY_PIPELINE).total()

    assert (again.created, again.pushed_created, again.pushed_updated) == (0, 0, 0)
    assert (jira.remote_ids("epics"), jira.remote_ids("milestones")) == (epics, issues)
    assert (pm_writes(hub, JIRA_READS), crm_writes(hub)) == writes
    assert hub.link(CRM, "contract", remote_id=contract.record_id) is not None
