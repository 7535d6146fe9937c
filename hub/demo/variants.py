"""Which systems the demo runs, and how each one is bound into its pipeline.

The demo always has the CRM (Zoho). Finance is Kingdee K/3 Cloud or Yonyou
YonBIP; the delivery (project) tool is Jira, ZenTao, or none. Each choice is
data: the connector type, the streams its pipeline binds, and the sandbox
options that make it a fresh site (the project tool starts empty, so every epic
or project it holds was created from a CRM contract).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.sdk.fakedata import Universe

CRM, ERP, PM = "crm", "erp", "pm"
"""Connector instance names: the CRM, the finance system, the project tool."""
PIPELINE = "crm-erp"
DELIVERY_PIPELINE = "crm-delivery"

Binding = tuple[str, str, str]
"""(connector instance, stream, direction)."""

EMPTY = Universe(companies=[], contacts=[], contracts=[], invoices=[], payments=[])


@dataclass(frozen=True, slots=True)
class System:
    """One selectable system: its connector type, title, pipeline bindings and sandbox options."""

    connector: str
    title: str
    bindings: tuple[Binding, ...]
    sandbox_options: dict[str, Any] = field(default_factory=dict)


FINANCE: dict[str, System] = {
    "kingdee": System(
        "kingdee",
        "Kingdee K/3 Cloud",
        (
            (CRM, "accounts", "both"),
            (ERP, "customers", "both"),
            (CRM, "contacts", "both"),
            (CRM, "contracts", "both"),
            (ERP, "contracts", "both"),
            (CRM, "contract_milestones", "both"),
            (ERP, "invoices_special", "in"),
            (ERP, "invoices_normal", "in"),
            (CRM, "invoices", "out"),
            (ERP, "payments", "in"),
            (CRM, "payments", "out"),
        ),
    ),
    "yonyou-bip": System(
        "yonyou-bip",
        "Yonyou YonBIP",
        (
            (CRM, "accounts", "both"),
            (ERP, "customers", "both"),
            (CRM, "contacts", "both"),
            (CRM, "contracts", "both"),
            (ERP, "sales_orders", "both"),
            (CRM, "contract_milestones", "both"),
            (ERP, "sales_invoices", "in"),
            (CRM, "invoices", "out"),
            (ERP, "receipts", "in"),
            (CRM, "payments", "out"),
        ),
    ),
}

_CRM_SIDE: tuple[Binding, ...] = (
    (CRM, "accounts", "in"),  # contracts reference their customer: it must be in the hub first
    (CRM, "contracts", "in"),
    (CRM, "contract_milestones", "both"),  # delivery status goes back to the CRM
)
DELIVERY: dict[str, System] = {
    "jira": System(
        "jira",
        "Jira Cloud",
        (*_CRM_SIDE, (PM, "epics", "out"), (PM, "milestones", "both")),
        {"populate": False},
    ),
    "jira-dc": System(
        "jira",
        "Jira Data Center",
        (*_CRM_SIDE, (PM, "epics", "out"), (PM, "milestones", "both")),
        {"populate": False, "flavour": "dc"},
    ),
    "zentao": System(
        "zentao",
        "ZenTao",
        (*_CRM_SIDE, (PM, "projects", "out"), (PM, "executions", "both")),
    ),
}


def finance_system(name: str) -> System:
    """The finance variant ``name``, or a ValueError naming the choices."""
    return _pick(FINANCE, name, "finance system")


def delivery_tool(name: str) -> System:
    """The delivery variant ``name``, or a ValueError naming the choices."""
    return _pick(DELIVERY, name, "delivery tool")


def _pick(table: dict[str, System], name: str, what: str) -> System:
    try:
        return table[name]
    except KeyError:
        raise ValueError(f"unknown {what} {name!r} (choose from {', '.join(table)})") from None
