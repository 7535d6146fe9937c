"""The canonical model: customers, contacts, contracts, milestones, invoices, payments."""

from hub.model.entities import (
    CanonicalData,
    Contact,
    ContactData,
    Contract,
    ContractData,
    Customer,
    CustomerData,
    Invoice,
    InvoiceData,
    Milestone,
    MilestoneData,
    Payment,
    PaymentData,
    TrackedColumns,
)
from hub.model.money import minor_unit, round_money, tax_for, to_decimal
from hub.model.registry import DATA_MODELS, ENTITIES, TABLES, canonical_fields
from hub.model.validation import CanonicalValidationError, FieldProblem, validate

__all__ = [
    "DATA_MODELS",
    "ENTITIES",
    "TABLES",
    "CanonicalData",
    "CanonicalValidationError",
    "Contact",
    "ContactData",
    "Contract",
    "ContractData",
    "Customer",
    "CustomerData",
    "FieldProblem",
    "Invoice",
    "InvoiceData",
    "Milestone",
    "MilestoneData",
    "Payment",
    "PaymentData",
    "TrackedColumns",
    "canonical_fields",
    "minor_unit",
    "round_money",
    "tax_for",
    "to_decimal",
    "validate",
]
