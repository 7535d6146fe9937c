"""Pipelines and maintenance work as ``jobs`` specs: what runs, when, under which lease."""

from __future__ import annotations

from hub.scheduling import names
from hub.settings import PipelineSettings, Settings
from jobs.scheduler import JobSpec

RUN_PIPELINE = "hub.scheduling.tasks:run_pipeline_job"
RETRY_DEAD_LETTERS = "hub.scheduling.tasks:retry_dead_letters_job"
PRUNE_RUNS = "hub.scheduling.tasks:prune_runs_job"
REFRESH_TOKENS = "hub.scheduling.tasks:refresh_tokens_job"


def pipeline_spec(name: str, pipeline: PipelineSettings) -> JobSpec | None:
    """The job of a scheduled, enabled pipeline; ``None`` for manual or disabled ones."""
    schedule = pipeline.schedule
    if schedule is None or not pipeline.enabled:
        return None
    return JobSpec(
        id=names.job_id(name),
        target=RUN_PIPELINE,
        kwargs={"pipeline": name, "trigger": "schedule"},
        interval_seconds=None
        if schedule.interval_minutes is None
        else schedule.interval_minutes * 60,
        cron=schedule.cron,
        timezone=schedule.timezone,
        misfire_grace_seconds=schedule.misfire_grace_seconds,
        lease=names.lease_name(name),
    )


def maintenance_specs(settings: Settings) -> list[JobSpec]:
    """Dead-letter retries, run pruning and credential refresh."""
    cfg = settings.scheduling
    return [
        JobSpec(
            id=names.DLQ_RETRY,
            target=RETRY_DEAD_LETTERS,
            interval_seconds=cfg.dlq_retry_minutes * 60,
            timezone=settings.timezone,
            lease=names.DLQ_RETRY,
        ),
        JobSpec(
            id=names.PRUNE_RUNS,
            target=PRUNE_RUNS,
            cron=cfg.prune_cron,
            timezone=settings.timezone,
            misfire_grace_seconds=6 * 3600,
            lease=names.PRUNE_RUNS,
        ),
        JobSpec(
            id=names.REFRESH_TOKENS,
            target=REFRESH_TOKENS,
            interval_seconds=cfg.token_refresh_minutes * 60,
            timezone=settings.timezone,
            lease=names.REFRESH_TOKENS,
        ),
    ]


def all_specs(settings: Settings) -> list[JobSpec]:
    """Every job the scheduler should hold for ``settings``."""
    specs = [
        spec
        for name, pipeline in settings.pipelines.items()
        if (spec := pipeline_spec(name, pipeline)) is not None
    ]
    return specs + maintenance_specs(settings)


def describe(pipeline: PipelineSettings) -> str:
    """The schedule in words, for ``jobs list`` and the web app."""
    if not pipeline.enabled:
        return "disabled"
    spec = pipeline_spec("x", pipeline)
    return "manual only" if spec is None else spec.describe()
