"""Helpers for the delivery end-to-end tests: a CRM user signing a contract, and reading
what the hub and the project tool hold about it.

The contract is made the way a salesperson makes it, over Zoho's own REST API
(``ZohoUser``); the project tools are only inspected here, and worked in through
their sandboxes' person-like hooks in the tests themselves.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from e2e_support import Hub
from sqlalchemy import select
from vendor_users import ZohoUser

from connectors.sdk.cn import make_uscc
from hub.demo.run import CRM, PM
from hub.sync import repo

MILESTONES = (
    ("需求确认与方案设计", "2026-08-31", 30),
    ("联盟链平台上线", "2026-10-31", 40),
    ("运维交接与终验", "2026-12-15", 30),
)
PM_WRITES = ("POST", "PUT", "DELETE")


@dataclass(frozen=True)
class SignedContract:
    """What the salesperson entered: the contract's Zoho id, number and milestone rows."""

    record_id: str
    number: str
    milestones: dict[str, str]
    """Milestone name -> Zoho subform row id."""


def sign_contract(zoho: ZohoUser, number: str) -> SignedContract:
    """A new customer and an active contract with three planned milestones, entered in Zoho."""
    account = zoho.create(
        "Accounts",
        {
            "Account_Name": "杭州链岳数字科技有限公司",
            "Tax_ID": make_uscc(random.Random(number), "330100"),
            "Phone": "0571-88886666",
            "Account_Type": "Customer",
        },
    )
    record_id = zoho.create(
        "Contracts",
        {
            "Name": number,
            "Contract_Title": "供应链金融联盟链平台开发",
            "Account": {"id": account},
            "Contract_Type": "Technical Development",
            "Amount": 600000,
            "Currency": "CNY",
            "Tax_Rate": 6,
            "Sign_Date": "2026-07-01",
            "Start_Date": "2026-07-01",
            "End_Date": "2026-12-31",
            "Contract_Status": "Active",
            "Payment_Terms": "按里程碑验收后 30 天内付款",
            "Milestones": [
                {
                    "Milestone_Name": name,
                    "Due_Date": due,
                    "Percent": percent,
                    "Amount": 600000 * percent // 100,
                    "Milestone_Status": "Planned",
                }
                for name, due, percent in MILESTONES
            ],
        },
    )
    rows = zoho.get("Contracts", record_id)["Milestones"]
    return SignedContract(
        record_id, number, {row["Milestone_Name"]: str(row["id"]) for row in rows}
    )


def crm_milestone_row(zoho: ZohoUser, contract: SignedContract, name: str) -> dict[str, Any]:
    """The contract's milestone subform row as Zoho shows it now."""
    rows = zoho.get("Contracts", contract.record_id)["Milestones"]
    return next(row for row in rows if row["Milestone_Name"] == name)


def pm_remote_id(hub: Hub, contract: SignedContract, name: str) -> str:
    """The project tool's id of a milestone, found through the hub's links."""
    crm = hub.link(CRM, "milestone", remote_id=contract.milestones[name])
    assert crm is not None, f"milestone {name} never reached the hub"
    pm = hub.link(PM, "milestone", hub_id=crm["hub_id"])
    assert pm is not None, f"milestone {name} never reached the project tool"
    return str(pm["remote_id"])


def hub_milestone(hub: Hub, contract: SignedContract, name: str) -> dict[str, Any]:
    """The canonical milestone row."""
    link = hub.link(CRM, "milestone", remote_id=contract.milestones[name])
    assert link is not None
    with hub.demo.engine.connect() as conn:
        return repo.rows_by_id(conn, "milestone", [link["hub_id"]])[link["hub_id"]]


def milestone_states(hub: Hub) -> dict[str, tuple[str, Any]]:
    """Every canonical milestone's status and acceptance time, by hub id."""
    table = repo.entity_table("milestone")
    with hub.demo.engine.connect() as conn:
        rows = conn.execute(select(table.c.id, table.c.status, table.c.accepted_at))
        return {str(r.id): (str(r.status), r.accepted_at) for r in rows}


def pm_writes(hub: Hub, ignore: tuple[str, ...]) -> int:
    """Write requests the project tool has served (paths containing ``ignore`` are reads)."""
    return sum(
        n
        for (method, path), n in hub.pm.sandbox.requests.items()
        if method in PM_WRITES and not any(word in path for word in ignore)
    )


def crm_writes(hub: Hub) -> int:
    """Write requests Zoho has served (token refreshes and COQL look-ups are reads)."""
    return hub.writes()[CRM]
