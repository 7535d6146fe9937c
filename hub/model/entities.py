"""The canonical entities: one validation shape (``*Data``) and one table each.

``*Data`` classes validate what a mapping produced before anything is stored;
the table classes add the bookkeeping columns every entity carries (hub id,
version, timestamps, soft delete, per-field provenance, custom fields).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Self

from pydantic import field_validator, model_validator
from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from connectors.sdk.cn import uscc_problem
from hub.model.enums import (
    ContractStatus,
    ContractType,
    CustomerStatus,
    InvoiceKind,
    InvoiceStatus,
    MilestoneStatus,
    PaymentMethod,
)
from hub.model.money import MAX_AMOUNT, minor_unit, round_money, to_decimal
from hub.model.types import DecimalText, MoneyType, UtcDateTime

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MIN_DATE = date(1990, 1, 1)
MAX_DATE = date(2100, 12, 31)


def _text(value: Any) -> Any:
    if isinstance(value, str):
        if _CONTROL.search(value):
            raise ValueError("contains control characters")
        value = value.strip()
        return value or None
    return value


def _amount(value: Any) -> Any:
    if value is None:
        return None
    amount = to_decimal(value)
    if abs(amount) >= MAX_AMOUNT:
        raise ValueError(f"amount {amount} is out of range")
    return amount


def _in_range(value: date | None) -> date | None:
    if value is not None and not (MIN_DATE <= value <= MAX_DATE):
        raise ValueError(f"date {value.isoformat()} is outside {MIN_DATE.year}-{MAX_DATE.year}")
    return value


def check_currency(value: str) -> str:
    """Upper-case ISO 4217 code we know the minor unit of."""
    minor_unit(value.upper())
    return value.upper()


def check_rate(value: Any) -> Decimal | None:
    """A VAT rate as a fraction in [0, 1)."""
    if value is None:
        return None
    rate = to_decimal(value)
    if not Decimal(0) <= rate < Decimal(1):
        raise ValueError("tax rate must be a fraction between 0 and 1 (0.06 for 6 %)")
    return rate


class CanonicalData(SQLModel):
    """Validation rules shared by every entity: trimmed text, no control characters."""

    entity: ClassVar[str]
    money_fields: ClassVar[tuple[str, ...]] = ()

    @field_validator("*", mode="before")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        return _text(value)

    @model_validator(mode="after")
    def _round_money(self) -> Self:
        currency = getattr(self, "currency", "CNY")
        for name in self.money_fields:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, round_money(value, currency))
        return self


class TrackedColumns(SQLModel):
    """Bookkeeping every canonical row carries."""

    id: str = Field(primary_key=True, max_length=36)
    version: int = Field(default=1, ge=1)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    provenance: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    """Per field: ``[connector instance, run id]`` of whoever last set it."""
    extra: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    """A company's own fields (Zoho custom fields, Kingdee ``F_`` extensions)."""


# --- Customer -----------------------------------------------------------------------


class CustomerData(CanonicalData):
    """A customer's master data."""

    entity: ClassVar[str] = "customer"

    number: str | None = Field(default=None, max_length=40, index=True)
    name: str = Field(min_length=1, max_length=200, index=True)
    tax_id: str | None = Field(default=None, max_length=18, index=True)
    address: str | None = Field(default=None, max_length=400)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=200)
    industry: str | None = Field(default=None, max_length=100)
    owner: str | None = Field(default=None, max_length=100)
    status: CustomerStatus = Field(default=CustomerStatus.ACTIVE, sa_type=String)
    bank_name: str | None = Field(default=None, max_length=200)
    bank_account: str | None = Field(default=None, max_length=40)

    @field_validator("tax_id")
    @classmethod
    def _tax_id(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.upper().replace(" ", "")
        problem = uscc_problem(code)
        if problem:
            raise ValueError(f"not a valid unified social credit code: {problem}")
        return code

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError("not an e-mail address")
        return value


class Customer(CustomerData, TrackedColumns, table=True):
    """Customer table; ``name_key`` is the normalised name matching uses (indexed)."""

    __tablename__ = "customer"

    name_key: str | None = Field(default=None, max_length=200, index=True)


# --- Contact ------------------------------------------------------------------------


class ContactData(CanonicalData):
    """A person at a customer."""

    entity: ClassVar[str] = "contact"

    customer_id: str | None = Field(
        default=None, foreign_key="customer.id", index=True, max_length=36
    )
    name: str = Field(min_length=1, max_length=100)
    title: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=200)


class Contact(ContactData, TrackedColumns, table=True):
    """Contact table."""

    __tablename__ = "contact"


# --- Contract -----------------------------------------------------------------------


class ContractData(CanonicalData):
    """A signed (or draft) contract with a customer."""

    entity: ClassVar[str] = "contract"
    money_fields: ClassVar[tuple[str, ...]] = ("amount",)

    number: str = Field(min_length=1, max_length=60, index=True)
    customer_id: str | None = Field(
        default=None, foreign_key="customer.id", index=True, max_length=36
    )
    title: str | None = Field(default=None, max_length=300)
    type: ContractType = Field(default=ContractType.TECHNICAL_DEVELOPMENT, sa_type=String)
    amount: Decimal = Field(sa_type=MoneyType)
    currency: str = Field(default="CNY", max_length=3)
    tax_rate: Decimal | None = Field(default=None, sa_type=DecimalText)
    tax_exempt: bool = False
    sign_date: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    status: ContractStatus = Field(default=ContractStatus.ACTIVE, sa_type=String)
    payment_terms: str | None = Field(default=None, max_length=1000)

    @field_validator("amount", mode="before")
    @classmethod
    def _parse_amount(cls, value: Any) -> Any:
        return _amount(value)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return check_currency(value)

    @field_validator("tax_rate", mode="before")
    @classmethod
    def _rate(cls, value: Any) -> Decimal | None:
        return check_rate(value)

    @field_validator("sign_date", "start_date", "end_date")
    @classmethod
    def _dates(cls, value: date | None) -> date | None:
        return _in_range(value)

    @field_validator("amount")
    @classmethod
    def _non_negative(cls, value: Decimal) -> Decimal:
        if value < 0:
            raise ValueError("a contract amount cannot be negative")
        return value

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class Contract(ContractData, TrackedColumns, table=True):
    """Contract table."""

    __tablename__ = "contract"


# --- Milestone ----------------------------------------------------------------------


class MilestoneData(CanonicalData):
    """A deliverable of a contract; its acceptance is when revenue is recognised."""

    entity: ClassVar[str] = "milestone"
    money_fields: ClassVar[tuple[str, ...]] = ("amount",)

    contract_id: str | None = Field(
        default=None, foreign_key="contract.id", index=True, max_length=36
    )
    name: str = Field(min_length=1, max_length=200)
    sequence: int = Field(default=0, ge=0)
    due_date: date | None = None
    amount: Decimal | None = Field(default=None, sa_type=MoneyType)
    percent: Decimal | None = Field(default=None, sa_type=DecimalText)
    status: MilestoneStatus = Field(default=MilestoneStatus.PLANNED, sa_type=String)
    accepted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    project_item: str | None = Field(default=None, max_length=100)

    @field_validator("amount", "percent", mode="before")
    @classmethod
    def _parse_amount(cls, value: Any) -> Any:
        return _amount(value)

    @field_validator("percent")
    @classmethod
    def _percent(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and not Decimal(0) <= value <= Decimal(100):
            raise ValueError("percent must be between 0 and 100")
        return value

    @field_validator("accepted_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must be timezone-aware")
        return value

    @field_validator("due_date")
    @classmethod
    def _due(cls, value: date | None) -> date | None:
        return _in_range(value)


class Milestone(MilestoneData, TrackedColumns, table=True):
    """Milestone table."""

    __tablename__ = "milestone"


# --- Invoice ------------------------------------------------------------------------


class InvoiceData(CanonicalData):
    """A VAT invoice; net + tax == gross, a reversal is a negative invoice pointing at its original."""

    entity: ClassVar[str] = "invoice"
    money_fields: ClassVar[tuple[str, ...]] = ("net", "tax", "gross")

    number: str = Field(min_length=1, max_length=60, index=True)
    contract_id: str | None = Field(
        default=None, foreign_key="contract.id", index=True, max_length=36
    )
    customer_id: str | None = Field(
        default=None, foreign_key="customer.id", index=True, max_length=36
    )
    kind: InvoiceKind = Field(default=InvoiceKind.VAT_SPECIAL, sa_type=String)
    e_invoice: bool = False
    issue_date: date | None = None
    due_date: date | None = Field(default=None, index=True)
    net: Decimal = Field(sa_type=MoneyType)
    tax: Decimal = Field(sa_type=MoneyType)
    gross: Decimal = Field(sa_type=MoneyType)
    tax_rate: Decimal | None = Field(default=None, sa_type=DecimalText)
    currency: str = Field(default="CNY", max_length=3)
    status: InvoiceStatus = Field(default=InvoiceStatus.ISSUED, sa_type=String)
    reverses_id: str | None = Field(default=None, max_length=36)

    @field_validator("net", "tax", "gross", mode="before")
    @classmethod
    def _parse_amount(cls, value: Any) -> Any:
        return _amount(value)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return check_currency(value)

    @field_validator("tax_rate", mode="before")
    @classmethod
    def _rate(cls, value: Any) -> Decimal | None:
        return check_rate(value)

    @field_validator("issue_date", "due_date")
    @classmethod
    def _dates(cls, value: date | None) -> date | None:
        return _in_range(value)

    @model_validator(mode="after")
    def _arithmetic(self) -> Self:
        if self.net + self.tax != self.gross:
            raise ValueError(f"net {self.net} + tax {self.tax} != gross {self.gross}")
        if self.reverses_id is None and self.gross < 0:
            raise ValueError("a negative invoice must name the invoice it reverses (reverses_id)")
        return self


class Invoice(InvoiceData, TrackedColumns, table=True):
    """Invoice table."""

    __tablename__ = "invoice"


# --- Payment ------------------------------------------------------------------------


class PaymentData(CanonicalData):
    """Money received from a customer, usually against one invoice."""

    entity: ClassVar[str] = "payment"
    money_fields: ClassVar[tuple[str, ...]] = ("amount",)

    number: str = Field(min_length=1, max_length=60, index=True)
    customer_id: str | None = Field(
        default=None, foreign_key="customer.id", index=True, max_length=36
    )
    invoice_id: str | None = Field(
        default=None, foreign_key="invoice.id", index=True, max_length=36
    )
    amount: Decimal = Field(sa_type=MoneyType)
    currency: str = Field(default="CNY", max_length=3)
    received_on: date | None = None
    method: PaymentMethod = Field(default=PaymentMethod.BANK_TRANSFER, sa_type=String)

    @field_validator("amount", mode="before")
    @classmethod
    def _parse_amount(cls, value: Any) -> Any:
        return _amount(value)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return check_currency(value)

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError("a payment amount must be positive")
        return value

    @field_validator("received_on")
    @classmethod
    def _dates(cls, value: date | None) -> date | None:
        return _in_range(value)


class Payment(PaymentData, TrackedColumns, table=True):
    """Payment table."""

    __tablename__ = "payment"
