"""Budget usage per connector instance and budget window, shared by every worker."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from hub.model.types import UtcDateTime


class ApiBudget(SQLModel, table=True):
    """Requests spent by one connector instance in one window, and the vendor's last report."""

    __tablename__ = "api_budget"

    connector: str = Field(primary_key=True, max_length=60)
    window_start: datetime = Field(primary_key=True, sa_type=UtcDateTime)
    """Start of the budget day (midnight in the business time zone), in UTC."""
    used: int = 0
    """Requests the hub counted in this window."""
    vendor_remaining: int | None = None
    vendor_limit: int | None = None
    vendor_reset_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    vendor_seen_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)


BUDGET_TABLES = (ApiBudget,)
