"""Settings of background sync (``scheduling:``) and of the webhook endpoint (``webhooks:``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SchedulingSettings(BaseModel):
    """Leases, scheduler polling, maintenance jobs and the scale-out broker's names."""

    model_config = ConfigDict(extra="forbid")

    lease_seconds: float = Field(
        30.0,
        gt=0,
        description="Life of a pipeline or leader lease without a heartbeat; a dead holder's "
        "work is taken over after at most this long.",
    )
    poll_seconds: float = Field(
        2.0,
        gt=0,
        description="How often schedulers renew or seek leadership, apply pause flags and "
        "hand out queued runs; at most a third of lease_seconds.",
    )
    threads: int = Field(4, ge=1, description="Scheduler threads running jobs in-process.")
    run_retention_days: int = Field(
        90, ge=1, description="Finished runs (and their events) older than this are pruned."
    )
    prune_cron: str = Field(
        "30 3 * * *", description="When old runs are pruned (cron, business time zone)."
    )
    dlq_retry_minutes: float = Field(
        10.0, gt=0, description="How often dead letters whose retry is due are retried."
    )
    dlq_backoff_minutes: float = Field(
        5.0, gt=0, description="Wait after a letter's first failed retry; doubles each time."
    )
    dlq_backoff_max_hours: float = Field(24.0, gt=0, description="Longest wait between retries.")
    dlq_max_attempts: int = Field(
        10, ge=1, description="Letters that failed this often are left for a person."
    )
    token_refresh_minutes: float = Field(
        30.0, gt=0, description="How often connector credentials are checked for expiry."
    )
    token_refresh_margin_minutes: float = Field(
        120.0, gt=0, description="Credentials expiring within this are renewed ahead of time."
    )
    broker_queue: str = Field(
        "synchub", min_length=1, description="Celery queue the scheduler sends runs to."
    )
    broker_key_prefix: str = Field(
        "synchub:", description="Prefix of every broker key, so hubs can share one Redis."
    )
    worker_concurrency: int = Field(
        4, ge=1, description="Runs one `synchub worker` process executes at once."
    )

    @model_validator(mode="after")
    def _poll_within_lease(self) -> SchedulingSettings:
        if self.poll_seconds * 3 > self.lease_seconds:
            raise ValueError(
                f"scheduling.poll_seconds ({self.poll_seconds:g}) must be at most a third of "
                f"scheduling.lease_seconds ({self.lease_seconds:g}), or leases lapse between polls"
            )
        return self


class WebhookSettings(BaseModel):
    """How vendor change notifications turn into runs."""

    model_config = ConfigDict(extra="forbid")

    debounce_seconds: float = Field(
        30.0,
        ge=0,
        description="Notifications within this window of the first one become one run.",
    )
    max_age_seconds: float = Field(
        600.0,
        gt=0,
        description="Deliveries older than this (by the vendor's timestamp) are replays.",
    )
