"""The ``budgets:`` settings: a daily request (or credit) allowance per connector instance."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class BudgetSettings(BaseModel):
    """One connector instance's daily allowance and how runs behave as it runs out."""

    model_config = ConfigDict(extra="forbid")

    daily_limit: int = Field(
        ge=1,
        description="Requests (or vendor credits) per day, the day starting at midnight in "
        "the business time zone unless the vendor reports its own reset.",
    )
    slow_at: float = Field(
        0.8, gt=0, lt=1, description="Share of the limit after which runs slow down."
    )
    reserve: float = Field(
        0.05,
        ge=0,
        lt=1,
        description="Share kept unspent: runs pause when only this much is left.",
    )
    max_delay_seconds: float = Field(
        5.0, ge=0, description="Longest pause between two requests while slowed down."
    )

    @model_validator(mode="after")
    def _slow_before_pause(self) -> BudgetSettings:
        if self.slow_at >= 1 - self.reserve:
            raise ValueError("slow_at must be below 1 - reserve (slow down before pausing)")
        return self
