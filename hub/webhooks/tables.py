"""Deliveries already accepted, so a replayed notification is recognised and refused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from hub.model.types import UtcDateTime

AutoId = BigInteger().with_variant(Integer, "sqlite")


class WebhookDelivery(SQLModel, table=True):
    """One accepted notification: its connector instance and a digest that identifies it."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("connector", "digest", name="uq_webhook_delivery"),)

    id: int | None = Field(
        default=None, sa_column=Column(AutoId, primary_key=True, autoincrement=True)
    )
    connector: str = Field(max_length=60)
    digest: str = Field(max_length=64)
    """SHA-256 of the raw body, or of the vendor's delivery id (a delivery has a row for each)."""
    received_at: datetime = Field(sa_type=UtcDateTime, index=True)


WEBHOOK_TABLES = (WebhookDelivery,)
