"""The scheduler's view of pipelines (next run, paused, lease, budget) and its controls.

``hub.scheduling.control.SchedulerControl`` owns schedules and leases; the
console only asks it. Pause and resume need it; without the scheduling package
installed the console answers 503 for them and lists pipelines without
scheduler columns.
"""

from __future__ import annotations

import importlib
from typing import Any

from fastapi import HTTPException

from hub.settings import Settings
from hub.web.state import HubState

CONTROL = "hub.scheduling.control"


def scheduler_available() -> bool:
    """Whether the scheduling package is importable."""
    try:
        importlib.import_module(CONTROL)
    except ModuleNotFoundError:
        return False
    return True


def control(state: HubState, settings: Settings) -> Any:
    """A ``SchedulerControl`` on the effective settings, or ``None`` without the package."""
    try:
        module = importlib.import_module(CONTROL)
    except ModuleNotFoundError:
        return None
    return module.SchedulerControl(settings, state.engine)


def scheduler_jobs(state: HubState, settings: Settings) -> dict[str, Any]:
    """Job status by pipeline name (empty without the scheduler)."""
    found = control(state, settings)
    if found is None:
        return {}
    return {job.pipeline: job for job in found.jobs()}


def scheduler_action(state: HubState, settings: Settings, name: str, action: str) -> Any:
    """Pause or resume a pipeline's schedule; 503 without the scheduler."""
    found = control(state, settings)
    if found is None:
        raise HTTPException(503, "the scheduler is not installed in this hub")
    return getattr(found, action)(name)
