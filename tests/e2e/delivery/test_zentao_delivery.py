"""Issue 7 end to end: a contract signed in the CRM becomes a ZenTao project with one
execution per milestone; closing an execution in ZenTao reaches the hub and the CRM as an
accepted milestone; running again creates nothing. ZenTao starts empty."""

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

from connectors.zentao.sandbox import ZentaoSandbox
from hub.demo.run import DELIVERY_PIPELINE, PM

NUMBER = "HT2026990002"
ZENTAO_READS = ("/tokens",)  # logging in changes nothing


def test_signed_contract_becomes_a_project_and_a_closed_execution_is_accepted(
    zentao_hub: Hub,
) -> None:
    hub = zentao_hub
    zentao: ZentaoSandbox = hub.pm.sandbox  # type: ignore[assignment]
    assert zentao.remote_ids("projects") == set()  # every project comes from the CRM
    hub.run(DELIVERY_PIPELINE)
    seeded = milestone_states(hub)
    assert {status for status, _ in seeded.values()} >= {"in_progress", "delivered"}
    zoho = hub.zoho()
    contract = sign_contract(zoho, NUMBER)

    hub.run(DELIVERY_PIPELINE)

    projects = [zentao.get_record("projects", rid) for rid in zentao.remote_ids("projects")]
    [project] = [p for p in projects if p and p["code"] == NUMBER]
    assert project["name"].startswith(NUMBER)
    executions = [zentao.get_record("executions", r) for r in zentao.remote_ids("executions")]
    mine = sorted(
        (e for e in executions if e and int(e["project"]) == int(project["id"])),
        key=lambda e: str(e["end"]),
    )
    assert [(e["name"], str(e["end"])[:10], e["status"]) for e in mine] == [
        (name, due, "wait") for name, due, _ in MILESTONES
    ]
    assert hub.link(PM, "contract", remote_id=str(project["id"])) is not None
    # ZenTao cannot be told a status on create: its "wait" on the copies of milestones
    # already under way is a default, not news, and changes nothing in the hub or CRM.
    assert {h: s for h, s in milestone_states(hub).items() if h in seeded} == seeded

    name = MILESTONES[0][0]
    zentao.close_execution(pm_remote_id(hub, contract, name))  # the customer signed off

    hub.run(DELIVERY_PIPELINE)

    row = hub_milestone(hub, contract, name)
    assert row["status"] == "accepted"
    assert row["accepted_at"] is not None
    crm_row = crm_milestone_row(zoho, contract, name)
    assert crm_row["Milestone_Status"] == "Accepted"
    assert crm_row["Accepted_Time"]

    settle = hub.run(DELIVERY_PIPELINE).total()  # the CRM's copy of the acceptance, read back
    assert (settle.created, settle.pushed_created) == (0, 0)
    projects_now, executions_now = zentao.remote_ids("projects"), zentao.remote_ids("executions")
    writes = (pm_writes(hub, ZENTAO_READS), crm_writes(hub))

    again = hub.run(DELIVERY_PIPELINE).total()

    assert (again.created, again.pushed_created, again.pushed_updated) == (0, 0, 0)
    assert zentao.remote_ids("projects") == projects_now
    assert zentao.remote_ids("executions") == executions_now
    assert (pm_writes(hub, ZENTAO_READS), crm_writes(hub)) == writes
