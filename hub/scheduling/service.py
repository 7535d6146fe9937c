"""Building this hub's scheduler service: its specs, dispatcher and lease settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from apscheduler.events import SchedulerEvent
from sqlalchemy import Engine

from hub.scheduling import names, runtime
from hub.scheduling.specs import all_specs
from hub.settings import Settings
from jobs.dispatch import Dispatcher, InlineDispatcher
from jobs.leases import LeaseManager
from jobs.scheduler import JobSpec
from jobs.service import SchedulerService

if TYPE_CHECKING:
    from celery import Celery


def dispatcher_for(settings: Settings) -> Dispatcher:
    """Celery when a broker is configured (scale-out), else runs in this process."""
    if settings.broker_url is None:
        return InlineDispatcher()
    from jobs.celery_app import CeleryDispatcher  # the distributed extra

    return CeleryDispatcher(celery_app(settings))


def celery_app(settings: Settings) -> Celery:
    """The Celery app of ``settings`` (broker, queue and key prefix)."""
    from jobs.celery_app import make_celery

    assert settings.broker_url is not None
    return make_celery(
        settings.broker_url,
        queue=settings.scheduling.broker_queue,
        key_prefix=settings.scheduling.broker_key_prefix,
    )


def build_service(
    settings: Settings,
    engine: Engine,
    *,
    role: str,
    listeners: list[Callable[[SchedulerEvent], None]] | None = None,
) -> SchedulerService:
    """A scheduler service for this hub; installs the process runtime for the targets."""
    hub = runtime.install(settings, engine, role)

    def specs() -> list[JobSpec]:
        return all_specs(hub.effective())

    cfg = settings.scheduling
    return SchedulerService(
        LeaseManager(engine),
        specs,
        dispatcher_for(settings),
        owner=names.holder_id(role),
        lease_seconds=cfg.lease_seconds,
        poll_seconds=cfg.poll_seconds,
        threads=cfg.threads,
        listeners=listeners,
    )
