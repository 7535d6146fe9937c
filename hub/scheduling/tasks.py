"""The targets ``jobs`` runs by reference (``hub.scheduling.tasks:run_pipeline_job``).

Each takes JSON arguments, finds the process's settings and engine in
``runtime``, and returns a JSON-ready summary. They are synchronous (scheduler
threads and Celery workers call them) and run their async work on a fresh loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from hub.scheduling import maintenance, names, runtime
from hub.scheduling.guard import BudgetPaused, PipelineBusy, run_guarded
from hub.scheduling.specs import RUN_PIPELINE
from hub.settings import Settings
from hub.sync.runner import PipelineError
from jobs.flags import JobFlags
from jobs.holding import hold
from jobs.leases import LeaseHeld, LeaseManager
from jobs.requests import RequestQueue

log = logging.getLogger(__name__)
RETRIED_TRIGGERS = ("manual", "webhook")
"""A run asked for by a person or a vendor is retried when the pipeline is busy: the
change it was asked for may have landed after the busy run read past it."""


def run_pipeline_job(
    pipeline: str, trigger: str = "schedule", full: bool = False
) -> dict[str, Any]:
    """Run ``pipeline`` once under its lease; skip (and say why) when it cannot run now."""
    hub = runtime.current()
    settings = hub.effective()
    config = settings.pipelines.get(pipeline)
    if config is None or not config.enabled:
        log.warning("pipeline %s is not configured or disabled; %s run skipped", pipeline, trigger)
        return {"skipped": f"pipeline {pipeline} is not configured or disabled"}
    if trigger != "manual" and JobFlags(hub.engine).is_paused(names.job_id(pipeline)):
        return {"skipped": f"pipeline {pipeline} is paused"}
    try:
        result = asyncio.run(
            run_guarded(settings, hub.engine, pipeline, trigger=trigger, role=hub.role, full=full)
        )
    except PipelineBusy as exc:
        log.info("%s run skipped: %s", trigger, exc)
        if trigger in RETRIED_TRIGGERS:
            RequestQueue(hub.engine).submit(
                names.request_key(pipeline),
                RUN_PIPELINE,
                {"pipeline": pipeline, "trigger": trigger, "full": full},
                delay=settings.scheduling.poll_seconds,
                lease=names.lease_name(pipeline),
                requested_by=f"retry after busy ({exc.holder.owner})",
            )
        return {"skipped": str(exc)}
    except BudgetPaused as exc:
        log.warning("%s run skipped: %s", trigger, exc)
        return {"skipped": str(exc)}
    except PipelineError as exc:
        log.error("%s run of %s cannot start: %s", trigger, pipeline, exc)
        return {"error": str(exc)}
    log.info("%s run %s of %s: %s", trigger, result.run_id, pipeline, result.status)
    total = result.total()
    if total.created or total.updated or total.deleted:
        _refresh_finance(settings, hub.engine)
    return {"run_id": result.run_id, "status": result.status, "error": result.error}


def _refresh_finance(settings: Settings, engine: Any) -> None:
    """Rebuild the finance figures now, so the first page opened after a sync is fast."""
    from hub.finance.snapshot import refresh_figures

    try:
        refresh_figures(settings, engine)
    except Exception:
        log.exception("refreshing the finance figures after a sync failed")


def retry_dead_letters_job() -> dict[str, Any]:
    """Retry the dead letters whose retry is due."""

    async def work(settings: Settings, hub: runtime.HubRuntime) -> dict[str, Any]:
        report = await maintenance.retry_dead_letters(settings, hub.engine, role=hub.role)
        return {
            "resolved": report.resolved,
            "failing": report.failing,
            "busy": report.busy,
            "runs": report.run_ids,
        }

    return _exclusively(names.DLQ_RETRY, work)


def prune_runs_job() -> dict[str, Any]:
    """Delete runs older than the retention."""

    async def work(settings: Settings, hub: runtime.HubRuntime) -> dict[str, Any]:
        return {"pruned": await asyncio.to_thread(maintenance.prune_runs, settings, hub.engine)}

    return _exclusively(names.PRUNE_RUNS, work)


def refresh_tokens_job() -> dict[str, Any]:
    """Renew connector credentials that would lapse before the next check."""

    async def work(settings: Settings, hub: runtime.HubRuntime) -> dict[str, Any]:
        return dict(await maintenance.refresh_credentials(settings))

    return _exclusively(names.REFRESH_TOKENS, work)


Work = Callable[[Settings, runtime.HubRuntime], Awaitable[dict[str, Any]]]


def _exclusively(lease: str, work: Work) -> dict[str, Any]:
    """Run maintenance ``work`` holding ``lease``, so two workers never do it at once."""
    hub = runtime.current()

    async def body() -> dict[str, Any]:
        settings = hub.effective()
        owner = names.holder_id(hub.role)
        try:
            async with hold(
                LeaseManager(hub.engine), lease, owner, settings.scheduling.lease_seconds
            ):
                return await work(settings, hub)
        except LeaseHeld as exc:
            log.info("%s skipped: %s", lease, exc)
            return {"skipped": str(exc)}

    return asyncio.run(body())
