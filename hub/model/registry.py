"""Entity name -> model classes, the one place that enumerates the canonical entities."""

from __future__ import annotations

from sqlmodel import SQLModel

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
)

DATA_MODELS: dict[str, type[CanonicalData]] = {
    "customer": CustomerData,
    "contact": ContactData,
    "contract": ContractData,
    "milestone": MilestoneData,
    "invoice": InvoiceData,
    "payment": PaymentData,
}

TABLES: dict[str, type[SQLModel]] = {
    "customer": Customer,
    "contact": Contact,
    "contract": Contract,
    "milestone": Milestone,
    "invoice": Invoice,
    "payment": Payment,
}

ENTITIES: tuple[str, ...] = tuple(DATA_MODELS)


def canonical_fields(entity: str) -> tuple[str, ...]:
    """The business fields of ``entity`` (what mappings may set)."""
    return tuple(DATA_MODELS[entity].model_fields)
