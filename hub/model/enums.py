"""Enumerations of the canonical model; values are stable identifiers stored in the database."""

from __future__ import annotations

from enum import StrEnum


class CustomerStatus(StrEnum):
    """Whether we do business with the customer."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    PROSPECT = "prospect"


class ContractType(StrEnum):
    """The four kinds of contract a technology company signs; revenue rules differ by kind."""

    TECHNICAL_DEVELOPMENT = "technical_development"
    TECHNICAL_CONSULTING = "technical_consulting"
    PRODUCT_LICENCE = "product_licence"
    OPERATIONS_SERVICE = "operations_service"


class ContractStatus(StrEnum):
    """Contract lifecycle."""

    DRAFT = "draft"
    IN_APPROVAL = "in_approval"
    ACTIVE = "active"
    COMPLETED = "completed"
    TERMINATED = "terminated"


class MilestoneStatus(StrEnum):
    """Delivery state; revenue is recognised on ACCEPTED."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    ACCEPTED = "accepted"


class InvoiceKind(StrEnum):
    """VAT special lets the buyer deduct input tax; normal does not."""

    VAT_SPECIAL = "vat_special"
    VAT_NORMAL = "vat_normal"
    OTHER = "other"


class InvoiceStatus(StrEnum):
    """Invoice lifecycle; an issued invoice is never edited, only voided or reversed."""

    DRAFT = "draft"
    ISSUED = "issued"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOID = "void"


class PaymentMethod(StrEnum):
    """How money arrived."""

    BANK_TRANSFER = "bank_transfer"
    ACCEPTANCE_BILL = "acceptance_bill"
    CASH = "cash"
    OTHER = "other"
