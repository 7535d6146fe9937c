"""Pipeline declarations: which connector streams sync through the store, how, and when."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ConflictPolicy(StrEnum):
    """How a field changed on both sides since the last sync is settled."""

    OWNER_WINS = "owner_wins"
    """The field's owner (from the mapping) wins; a field without owner: the newest value."""
    NEWEST_WINS = "newest_wins"
    HOLD = "hold"
    """Nothing is applied; the conflict waits for a person in the conflict queue."""


class DeletePolicy(StrEnum):
    """What a deletion in one system does to the canonical record and the others."""

    SOFT = "soft"
    """Soft-delete canonically and propagate as a void/inactive status to the other systems."""
    IGNORE = "ignore"
    """Keep the canonical record; only unlink it from the system that deleted it."""


class StreamBinding(BaseModel):
    """One (connector instance, stream, mapping, direction) of a pipeline."""

    model_config = ConfigDict(extra="forbid")

    connector: str = Field(description="Connector instance name (a key of `connectors`).")
    stream: str = Field(description="Stream of that connector.")
    mapping: str | None = Field(
        None,
        description="Mapping file relative to mappings_dir without .yaml; default: found by connector and stream.",
    )
    direction: Literal["in", "out", "both"] = "both"

    @property
    def pulls(self) -> bool:
        """Whether this binding reads from the connector."""
        return self.direction in ("in", "both")

    @property
    def pushes(self) -> bool:
        """Whether this binding writes to the connector."""
        return self.direction in ("out", "both")


class Schedule(BaseModel):
    """When a pipeline runs by itself: an interval or a cron expression, in a time zone."""

    model_config = ConfigDict(extra="forbid")

    interval_minutes: float | None = Field(None, gt=0)
    cron: str | None = None
    timezone: str = "Asia/Shanghai"
    misfire_grace_seconds: int = Field(300, ge=1)

    @model_validator(mode="after")
    def _one(self) -> Schedule:
        if (self.interval_minutes is None) == (self.cron is None):
            raise ValueError("give exactly one of interval_minutes or cron")
        from jobs.scheduler import cron_trigger  # APScheduler only when a schedule is given

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"schedule timezone {self.timezone!r} is not an IANA zone") from None
        if self.cron is not None:
            cron_trigger(self.cron, self.timezone)
        return self


class PipelineSettings(BaseModel):
    """A named set of stream bindings joined through the canonical store."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    streams: list[StreamBinding] = Field(min_length=1)
    conflict_policy: ConflictPolicy = ConflictPolicy.OWNER_WINS
    delete_policy: DeletePolicy = DeletePolicy.SOFT
    schedule: Schedule | None = None
    tombstone_interval_minutes: float = Field(
        60,
        ge=0,
        description="How often incremental runs ask vendors for deleted records (0: every run).",
    )
    enabled: bool = True
