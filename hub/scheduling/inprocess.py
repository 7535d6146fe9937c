"""The scheduler inside another process: ``synchub serve`` runs it beside the web app.

On one machine with SQLite this is the whole deployment: the scheduler thread
competes for the leader lease like any ``synchub scheduler`` would (so starting
a second one by mistake does not double the runs) and runs pipelines in its
own thread pool, or sends them to Celery workers when a broker is configured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.events import SchedulerEvent
from sqlalchemy import Engine

from hub.scheduling.service import build_service
from hub.settings import Settings
from jobs.service import SchedulerService


@dataclass
class SchedulerHandle:
    """A running in-process scheduler."""

    service: SchedulerService

    @property
    def owner(self) -> str:
        """Its lease owner name (what ``jobs list`` shows as the leader)."""
        return self.service.owner

    def stop(self, timeout: float | None = 30.0) -> None:
        """Stop scheduling, wait for running jobs (up to ``timeout``), give up leadership."""
        self.service.stop(timeout)


def start_in_process(
    settings: Settings,
    engine: Engine,
    *,
    listeners: list[Callable[[SchedulerEvent], None]] | None = None,
) -> SchedulerHandle:
    """Start the scheduler in a background thread of this process.

    ``listeners`` receive APScheduler's events (job executed, missed...) while
    this process leads, for logging or for tests that await them.
    """
    service = build_service(settings, engine, role="serve", listeners=listeners)
    return SchedulerHandle(service.start())
