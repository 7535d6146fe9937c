"""The finance area's own tables: stored reconciliation runs and their mismatches.

A reconciliation reads every link's stored values, which on a large store takes
seconds, so it runs as a job (CLI, the UI's "run now", the daily digest) and its
result is kept; the pages read the latest stored run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from hub.model.types import UtcDateTime
from hub.store.tables import AutoId


class ReconRun(SQLModel, table=True):
    """One reconciliation: when, how many mismatches, and the per-entity totals."""

    __tablename__ = "finance_recon_run"

    id: str = Field(primary_key=True, max_length=36)
    started_at: datetime = Field(sa_type=UtcDateTime, index=True)
    finished_at: datetime = Field(sa_type=UtcDateTime)
    trigger: str = Field(default="manual", max_length=20)
    mismatches: int = 0
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    """``{"totals": [...], "customers": [...]}`` in JSON form (amounts as decimal text)."""


class ReconItem(SQLModel, table=True):
    """One mismatch between two systems' copies of a record."""

    __tablename__ = "finance_recon_item"
    __table_args__ = (
        Index("ix_finance_recon_item_run_kind", "run_id", "kind", "entity"),
        Index("ix_finance_recon_item_run_customer", "run_id", "customer_id"),
    )

    id: int | None = Field(
        default=None, sa_column=Column(AutoId, primary_key=True, autoincrement=True)
    )
    run_id: str = Field(max_length=36)
    kind: str = Field(max_length=12)
    """missing, amount, status or tax."""
    entity: str = Field(max_length=20)
    hub_id: str = Field(max_length=36)
    label: str | None = Field(default=None, max_length=200)
    customer_id: str | None = Field(default=None, max_length=36)
    system_a: str = Field(max_length=60)
    system_b: str = Field(max_length=60)
    value_a: str | None = Field(default=None, max_length=100)
    value_b: str | None = Field(default=None, max_length=100)
    remote_a: str | None = Field(default=None, max_length=100)
    remote_b: str | None = Field(default=None, max_length=100)
    last_run_a: str | None = Field(default=None, max_length=36)
    last_run_b: str | None = Field(default=None, max_length=36)
    detail: str | None = Field(default=None, sa_type=Text)


RECON_RUN = ReconRun.__table__  # type: ignore[attr-defined]
RECON_ITEM = ReconItem.__table__  # type: ignore[attr-defined]
