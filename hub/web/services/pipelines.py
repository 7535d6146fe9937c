"""Pipelines as the console lists them: definition, schedule, last run, and scheduler state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from hub.settings import PipelineSettings, Settings
from hub.store import Run

RUN = Run.__table__  # type: ignore[attr-defined]


def schedule_text(pipeline: PipelineSettings) -> str:
    """``every 15 min``, ``cron 0 2 * * *`` or ``manual``."""
    schedule = pipeline.schedule
    if schedule is None:
        return "manual"
    if schedule.interval_minutes:
        return f"every {schedule.interval_minutes:g} min"
    return f"cron {schedule.cron} ({schedule.timezone})"


@dataclass
class PipelineView:
    """One pipeline's row in the console."""

    name: str
    spec: PipelineSettings
    schedule: str
    last_run: dict[str, Any] | None
    next_run_at: datetime | None = None
    paused: bool = False
    lease_holder: str | None = None
    lease_expires_at: datetime | None = None
    budget: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def last_runs(engine: Engine, names: list[str]) -> dict[str, dict[str, Any]]:
    """The latest run of each pipeline."""
    found: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        for name in names:
            row = (
                conn.execute(
                    select(
                        RUN.c.id, RUN.c.status, RUN.c.started_at, RUN.c.finished_at, RUN.c.dry_run
                    )
                    .where(RUN.c.pipeline == name)
                    .order_by(RUN.c.started_at.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
            if row is not None:
                found[name] = dict(row)
    return found


def pipeline_views(settings: Settings, engine: Engine, jobs: dict[str, Any]) -> list[PipelineView]:
    """Every effective pipeline with its scheduler state (``jobs`` by pipeline name)."""
    names = sorted(settings.pipelines)
    runs = last_runs(engine, names)
    views = []
    for name in names:
        view = PipelineView(
            name, settings.pipelines[name], schedule_text(settings.pipelines[name]), runs.get(name)
        )
        job = jobs.get(name)
        if job is not None:
            view.next_run_at = getattr(job, "next_run_at", None)
            view.paused = bool(getattr(job, "paused", False))
            view.lease_holder = getattr(job, "lease_holder", None)
            view.lease_expires_at = getattr(job, "lease_expires_at", None)
            view.budget = getattr(job, "budget", None)
            view.schedule = getattr(job, "schedule", None) or view.schedule
        views.append(view)
    return views
