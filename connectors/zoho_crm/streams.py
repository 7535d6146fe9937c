"""The streams a Zoho CRM connector offers, declared as data.

Each stream is a CRM module (or, for milestones, the rows of a subform) tied
to a canonical entity. ``FIELDS`` lists what a list call asks for (Zoho makes
``fields`` mandatory and caps it at 50); subforms and line items never come back
from list calls, so the streams that need them say so and the reader fetches
those records one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.sdk import Capability, Stream
from connectors.zoho_crm.config import ZohoCrmConfig

_READ = frozenset({Capability.READ_FULL, Capability.READ_INCREMENTAL})
_TRACKED = _READ | {Capability.READ_DELETED}
_WRITABLE = _TRACKED | {Capability.WRITE, Capability.IDEMPOTENT_CREATE}

STREAMS: tuple[Stream, ...] = (
    Stream(
        "accounts",
        "customer",
        cursor_field="Modified_Time",
        capabilities=_WRITABLE,
        external_key_field="SyncHub_ID",
        description="Accounts: the customers (company name, credit code in Tax_ID).",
    ),
    Stream(
        "contacts",
        "contact",
        cursor_field="Modified_Time",
        capabilities=_WRITABLE,
        external_key_field="SyncHub_ID",
        description="Contacts, each looking up its account.",
    ),
    Stream(
        "contracts",
        "contract",
        cursor_field="Modified_Time",
        capabilities=_WRITABLE,
        external_key_field="SyncHub_ID",
        description="The custom Contracts module; Name is the contract number.",
    ),
    Stream(
        "contract_milestones",
        "milestone",
        cursor_field="Modified_Time",
        capabilities=_READ | {Capability.WRITE, Capability.IDEMPOTENT_CREATE},
        external_key_field="SyncHub_ID",
        parent_stream="contracts",
        description="Rows of the Contracts Milestones subform; Parent_Id names the contract.",
    ),
    Stream(
        "invoices",
        "invoice",
        cursor_field="Modified_Time",
        capabilities=_WRITABLE,
        external_key_field="SyncHub_ID",
        description="Invoices (inventory module) with their Invoiced_Items line items.",
    ),
    Stream(
        "payments",
        "payment",
        cursor_field="Modified_Time",
        capabilities=_WRITABLE,
        external_key_field="SyncHub_ID",
        description="The custom Payments module: money received, so sales sees receipts.",
    ),
    Stream(
        "deals",
        "contract",
        cursor_field="Modified_Time",
        capabilities=_TRACKED,
        description="Deals, read-only: a won deal is a contract in the making.",
    ),
)

_SYSTEM = ("Owner", "Created_Time", "Modified_Time")
FIELDS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "Account_Name", "Tax_ID", "Phone", "Website", "Industry", "Account_Type",
        "Billing_Street", "Billing_City", "Billing_Country", "Finance_Email", "Bank_Name",
        "Bank_Account", "Description", "SyncHub_ID", *_SYSTEM,
    ),
    "contacts": (
        "First_Name", "Last_Name", "Full_Name", "Title", "Email", "Phone", "Mobile",
        "Account_Name", "SyncHub_ID", *_SYSTEM,
    ),
    "contracts": (
        "Name", "Contract_Title", "Account", "Contract_Type", "Amount", "Currency", "Tax_Rate",
        "Sign_Date", "Start_Date", "End_Date", "Contract_Status", "Payment_Terms",
        "SyncHub_ID", *_SYSTEM,
    ),
    "contract_milestones": (
        "Milestone_Name", "Due_Date", "Percent", "Amount", "Milestone_Status",
        "Accepted_Time", "SyncHub_ID", "Parent_Id",
    ),
    "invoices": (
        "Subject", "Invoice_Number", "Account_Name", "Contract", "Invoice_Date", "Due_Date",
        "Status", "Invoice_Kind", "Currency", "Sub_Total", "Tax", "Adjustment", "Grand_Total",
        "SyncHub_ID", *_SYSTEM,
    ),
    "payments": (
        "Name", "Account", "Invoice", "Amount", "Currency", "Received_Date", "Payment_Method",
        "SyncHub_ID", *_SYSTEM,
    ),
    "deals": (
        "Deal_Name", "Account_Name", "Amount", "Stage", "Closing_Date", "Contract_Number",
        *_SYSTEM,
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ModuleSpec:
    """Where a stream lives in the org and how it is read."""

    module: str
    """API name of the module listed (for milestones: the parent, Contracts)."""
    fields: tuple[str, ...]
    detail: bool = False
    """Whether each changed record must be fetched alone (subforms, line items)."""
    subform: str | None = None
    """For a stream of subform rows: the parent's subform field."""
    subform_module: str | None = None
    """For a stream of subform rows: the subform's own module (COQL, field metadata)."""


def module_spec(stream: str, config: ZohoCrmConfig) -> ModuleSpec:
    """The module a stream reads, resolved against the org's configured API names."""
    fields = FIELDS[stream]
    if stream == "contract_milestones":
        return ModuleSpec(
            config.contracts_module,
            FIELDS["contracts"],
            detail=True,
            subform=config.milestones_field,
            subform_module=config.milestones_module,
        )
    modules = {
        "accounts": "Accounts",
        "contacts": "Contacts",
        "contracts": config.contracts_module,
        "invoices": "Invoices",
        "payments": config.payments_module,
        "deals": "Deals",
    }
    return ModuleSpec(modules[stream], fields, detail=stream == "invoices")
