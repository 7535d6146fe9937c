"""The simulated org's modules and fields, as data.

One table serves three purposes: the metadata endpoints (``/settings/modules``,
``/settings/fields``) real clients call first, the validation of every write
(types, lengths, mandatory and unique fields), and the rendering of lookups.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field of a module, as ``/settings/fields`` describes it."""

    api_name: str
    data_type: str = "text"
    label: str = ""
    length: int | None = None
    mandatory: bool = False
    unique: bool = False
    read_only: bool = False
    custom: bool = False
    lookup: str | None = None
    subform: str | None = None
    picklist: tuple[str, ...] = ()

    @property
    def json_type(self) -> str:
        """JSON type Zoho reports next to the data type."""
        return {
            "integer": "integer",
            "bigint": "integer",
            "double": "double",
            "currency": "double",
            "decimal": "double",
            "percent": "double",
            "boolean": "boolean",
            "lookup": "jsonobject",
            "ownerlookup": "jsonobject",
            "subform": "jsonarray",
            "multiselectpicklist": "jsonarray",
        }.get(self.data_type, "string")


@dataclass(frozen=True, slots=True)
class ModuleDef:
    """A module: its fields, the field naming a record, and its duplicate-check field."""

    api_name: str
    singular: str
    plural: str
    name_field: str
    fields: tuple[FieldDef, ...]
    generated_type: str = "default"
    duplicate_field: str | None = None
    inventory_items: str | None = None
    id: str = ""
    by_name: dict[str, FieldDef] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_name.update({f.api_name: f for f in self.fields})

    @property
    def unique_fields(self) -> list[str]:
        """System duplicate-check field first, then user-marked unique fields."""
        names = [self.duplicate_field] if self.duplicate_field else []
        return names + [f.api_name for f in self.fields if f.unique and f.api_name not in names]


def _system() -> tuple[FieldDef, ...]:
    return (
        FieldDef("Owner", "ownerlookup", "Owner"),
        FieldDef("Created_Time", "datetime", "Created Time", read_only=True),
        FieldDef("Modified_Time", "datetime", "Modified Time", read_only=True),
        FieldDef("Created_By", "ownerlookup", "Created By", read_only=True),
        FieldDef("Modified_By", "ownerlookup", "Modified By", read_only=True),
    )


def _key() -> FieldDef:
    return FieldDef("SyncHub_ID", "text", "SyncHub ID", length=64, unique=True, custom=True)


def build_modules(contracts: str = "Contracts", payments: str = "Payments") -> dict[str, ModuleDef]:
    """Every module of the simulated org, by API name."""
    mods = [
        ModuleDef(
            "Accounts",
            "Account",
            "Accounts",
            "Account_Name",
            (
                FieldDef("Account_Name", "text", "Account Name", 200, mandatory=True),
                FieldDef("Tax_ID", "text", "Tax ID", 18, custom=True),
                FieldDef("Phone", "phone", "Phone", 30),
                FieldDef("Website", "website", "Website", 255),
                FieldDef("Industry", "picklist", "Industry", 120),
                FieldDef(
                    "Account_Type",
                    "picklist",
                    "Account Type",
                    120,
                    picklist=("Customer", "Partner", "Prospect", "Vendor", "Other"),
                ),
                FieldDef("Billing_Street", "text", "Billing Street", 250),
                FieldDef("Billing_City", "text", "Billing City", 100),
                FieldDef("Billing_Country", "text", "Billing Country", 100),
                FieldDef("Finance_Email", "email", "Finance Email", 100, custom=True),
                FieldDef("Bank_Name", "text", "Bank Name", 100, custom=True),
                FieldDef("Bank_Account", "text", "Bank Account", 40, custom=True),
                FieldDef("Description", "textarea", "Description", 32000),
                _key(),
                *_system(),
            ),
            duplicate_field="Account_Name",
        ),
        ModuleDef(
            "Contacts",
            "Contact",
            "Contacts",
            "Full_Name",
            (
                FieldDef("First_Name", "text", "First Name", 40),
                FieldDef("Last_Name", "text", "Last Name", 80, mandatory=True),
                FieldDef("Full_Name", "text", "Full Name", 120, read_only=True),
                FieldDef("Title", "text", "Title", 100),
                FieldDef("Email", "email", "Email", 100),
                FieldDef("Phone", "phone", "Phone", 30),
                FieldDef("Mobile", "phone", "Mobile", 30),
                FieldDef("Account_Name", "lookup", "Account Name", lookup="Accounts"),
                _key(),
                *_system(),
            ),
            duplicate_field="Email",
        ),
        ModuleDef(
            "Deals",
            "Deal",
            "Deals",
            "Deal_Name",
            (
                FieldDef("Deal_Name", "text", "Deal Name", 120, mandatory=True),
                FieldDef("Account_Name", "lookup", "Account Name", lookup="Accounts"),
                FieldDef("Amount", "currency", "Amount"),
                FieldDef("Stage", "picklist", "Stage", 120, mandatory=True),
                FieldDef("Closing_Date", "date", "Closing Date", mandatory=True),
                FieldDef("Contract_Number", "text", "Contract Number", 40, custom=True),
                *_system(),
            ),
            duplicate_field="Deal_Name",
        ),
        ModuleDef(
            "Products",
            "Product",
            "Products",
            "Product_Name",
            (
                FieldDef("Product_Name", "text", "Product Name", 200, mandatory=True),
                FieldDef("Product_Code", "text", "Product Code", 40),
                FieldDef("Unit_Price", "currency", "Unit Price"),
                *_system(),
            ),
            duplicate_field="Product_Name",
        ),
        ModuleDef(
            "Invoices",
            "Invoice",
            "Invoices",
            "Subject",
            (
                FieldDef("Subject", "text", "Subject", 255, mandatory=True),
                FieldDef("Invoice_Number", "autonumber", "Invoice Number", read_only=True),
                FieldDef(
                    "Account_Name", "lookup", "Account Name", lookup="Accounts", mandatory=True
                ),
                FieldDef("Contract", "lookup", "Contract", lookup=contracts, custom=True),
                FieldDef("Invoice_Date", "date", "Invoice Date"),
                FieldDef("Due_Date", "date", "Due Date"),
                FieldDef(
                    "Status",
                    "picklist",
                    "Status",
                    120,
                    picklist=("Draft", "Issued", "Partially Paid", "Paid", "Void"),
                ),
                FieldDef(
                    "Invoice_Kind",
                    "picklist",
                    "Invoice Kind",
                    120,
                    custom=True,
                    picklist=("VAT Special", "VAT Normal", "Other"),
                ),
                FieldDef("Currency", "picklist", "Currency", 3),
                FieldDef("Sub_Total", "currency", "Sub Total", read_only=True),
                FieldDef("Tax", "currency", "Tax", read_only=True),
                FieldDef("Adjustment", "currency", "Adjustment"),
                FieldDef("Grand_Total", "currency", "Grand Total", read_only=True),
                FieldDef("Invoiced_Items", "subform", "Invoiced Items", subform="Invoiced_Items"),
                _key(),
                *_system(),
            ),
            duplicate_field="Subject",
            inventory_items="Invoiced_Items",
        ),
        ModuleDef(
            "Sales_Orders",
            "Sales Order",
            "Sales Orders",
            "Subject",
            (
                FieldDef("Subject", "text", "Subject", 255, mandatory=True),
                FieldDef("SO_Number", "autonumber", "SO Number", read_only=True),
                FieldDef(
                    "Account_Name", "lookup", "Account Name", lookup="Accounts", mandatory=True
                ),
                FieldDef("Status", "picklist", "Status", 120),
                FieldDef("Due_Date", "date", "Due Date"),
                FieldDef("Sub_Total", "currency", "Sub Total", read_only=True),
                FieldDef("Tax", "currency", "Tax", read_only=True),
                FieldDef("Adjustment", "currency", "Adjustment"),
                FieldDef("Grand_Total", "currency", "Grand Total", read_only=True),
                FieldDef("Ordered_Items", "subform", "Ordered Items", subform="Ordered_Items"),
                _key(),
                *_system(),
            ),
            duplicate_field="Subject",
            inventory_items="Ordered_Items",
        ),
        ModuleDef(
            contracts,
            "Contract",
            "Contracts",
            "Name",
            (
                FieldDef("Name", "text", "Contract Number", 120, mandatory=True),
                FieldDef("Contract_Title", "text", "Contract Title", 255, custom=True),
                FieldDef("Account", "lookup", "Account", lookup="Accounts", custom=True),
                FieldDef(
                    "Contract_Type",
                    "picklist",
                    "Contract Type",
                    120,
                    custom=True,
                    picklist=(
                        "Technical Development",
                        "Technical Consulting",
                        "Product Licence",
                        "Operations Service",
                    ),
                ),
                FieldDef("Amount", "currency", "Amount", custom=True),
                FieldDef("Currency", "picklist", "Currency", 3),
                FieldDef("Tax_Rate", "percent", "Tax Rate", custom=True),
                FieldDef("Sign_Date", "date", "Sign Date", custom=True),
                FieldDef("Start_Date", "date", "Start Date", custom=True),
                FieldDef("End_Date", "date", "End Date", custom=True),
                FieldDef(
                    "Contract_Status",
                    "picklist",
                    "Contract Status",
                    120,
                    custom=True,
                    picklist=("Draft", "In Approval", "Active", "Completed", "Terminated"),
                ),
                FieldDef("Payment_Terms", "textarea", "Payment Terms", 2000, custom=True),
                FieldDef("Milestones", "subform", "Milestones", subform="Milestones", custom=True),
                _key(),
                *_system(),
            ),
            generated_type="custom",
            duplicate_field="Name",
        ),
        ModuleDef(
            payments,
            "Payment",
            "Payments",
            "Name",
            (
                FieldDef("Name", "text", "Payment Number", 120, mandatory=True),
                FieldDef("Account", "lookup", "Account", lookup="Accounts", custom=True),
                FieldDef("Invoice", "lookup", "Invoice", lookup="Invoices", custom=True),
                FieldDef("Amount", "currency", "Amount", mandatory=True, custom=True),
                FieldDef("Currency", "picklist", "Currency", 3),
                FieldDef("Received_Date", "date", "Received Date", custom=True),
                FieldDef(
                    "Payment_Method",
                    "picklist",
                    "Payment Method",
                    120,
                    custom=True,
                    picklist=("Bank Transfer", "Acceptance Bill", "Cash", "Other"),
                ),
                _key(),
                *_system(),
            ),
            generated_type="custom",
            duplicate_field="Name",
        ),
    ]
    subforms = [
        ModuleDef(
            "Milestones",
            "Milestone",
            "Milestones",
            "Milestone_Name",
            (
                FieldDef("Milestone_Name", "text", "Milestone", 120, mandatory=True, custom=True),
                FieldDef("Due_Date", "date", "Due Date", custom=True),
                FieldDef("Percent", "percent", "Percent", custom=True),
                FieldDef("Amount", "currency", "Amount", custom=True),
                FieldDef(
                    "Milestone_Status",
                    "picklist",
                    "Status",
                    120,
                    custom=True,
                    picklist=("Planned", "In Progress", "Delivered", "Accepted"),
                ),
                FieldDef("Accepted_Time", "datetime", "Accepted At", custom=True),
                FieldDef("SyncHub_ID", "text", "SyncHub ID", 64, custom=True),
                FieldDef("Parent_Id", "lookup", "Parent", lookup=contracts, read_only=True),
            ),
            generated_type="subform",
        ),
        *(
            ModuleDef(
                name,
                "Item",
                name.replace("_", " "),
                "Product_Name",
                (
                    FieldDef(
                        "Product_Name", "lookup", "Product Name", lookup="Products", mandatory=True
                    ),
                    FieldDef("Description", "textarea", "Description", 2000),
                    FieldDef("Quantity", "double", "Quantity", mandatory=True),
                    FieldDef("List_Price", "currency", "List Price"),
                    FieldDef("Discount", "currency", "Discount"),
                    FieldDef("Total", "currency", "Total", read_only=True),
                    FieldDef(
                        "Total_After_Discount", "currency", "Total After Discount", read_only=True
                    ),
                    FieldDef("Tax", "currency", "Tax", read_only=True),
                    FieldDef("Net_Total", "currency", "Net Total", read_only=True),
                    FieldDef("Line_Tax", "multiselectpicklist", "Line Tax"),
                    FieldDef("Parent_Id", "lookup", "Parent", lookup=parent, read_only=True),
                ),
                generated_type="subform",
            )
            for name, parent in (("Invoiced_Items", "Invoices"), ("Ordered_Items", "Sales_Orders"))
        ),
    ]
    out: dict[str, ModuleDef] = {}
    for n, module in enumerate([*mods, *subforms], start=1):
        out[module.api_name] = ModuleDef(
            module.api_name,
            module.singular,
            module.plural,
            module.name_field,
            module.fields,
            module.generated_type,
            module.duplicate_field,
            module.inventory_items,
            id=f"715300000000{2000 + n * 25:07d}",
        )
    return out  # fmt: skip
