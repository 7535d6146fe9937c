"""Where a due job's work happens: in this process, or on a worker through the broker.

APScheduler stores every job as a call of ``execute`` with the job's id, target
reference, JSON arguments and guarding lease. ``execute`` looks up the runtime
the scheduler service of this process installed when it became leader, checks
the job's pause flag and lease (skipping a paused job, and a fire time that
comes while the previous run still holds its lease), and hands the target to
the dispatcher: ``InlineDispatcher`` runs it in the scheduler's worker thread,
``jobs.celery_app.CeleryDispatcher`` sends it to the broker.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from jobs.flags import JobFlags
from jobs.leases import LeaseHeld, LeaseManager
from jobs.references import call, check_arguments

log = logging.getLogger(__name__)
EXECUTE_ONE_OFF = "jobs.dispatch:execute_one_off"


class Dispatcher(Protocol):
    """Runs or enqueues a target."""

    def dispatch(self, target: str, kwargs: dict[str, Any]) -> Any:
        """Run or enqueue ``target(**kwargs)``; returns its result or a note of the enqueueing."""


class InlineDispatcher:
    """Runs targets in the calling thread (single node: the scheduler's thread pool)."""

    def dispatch(self, target: str, kwargs: dict[str, Any]) -> Any:
        """Call the target now; its result becomes the scheduler event's return value."""
        return call(target, kwargs)


@dataclass(frozen=True)
class Runtime:
    """What ``execute`` needs in the process whose scheduler is leading."""

    dispatcher: Dispatcher
    leases: LeaseManager
    flags: JobFlags


_lock = threading.Lock()
_active: list[Runtime] = []


def install(runtime: Runtime) -> None:
    """Make ``runtime`` the one ``execute`` uses in this process."""
    with _lock:
        _active[:] = [runtime]


def uninstall(runtime: Runtime) -> None:
    """Forget ``runtime`` (if it is still the installed one)."""
    with _lock:
        if _active and _active[0] is runtime:
            _active.clear()


def active() -> Runtime | None:
    """The installed runtime, if any."""
    with _lock:
        return _active[0] if _active else None


def execute(
    job_id: str | None, target: str, kwargs: dict[str, Any], lease: str | None = None
) -> Any:
    """Run one due job through the installed runtime (see module docstring)."""
    runtime = active()
    if runtime is None:
        log.warning("job %s is due but no scheduler runtime is installed here; skipped", job_id)
        return None
    if job_id and runtime.flags.is_paused(job_id):
        log.info("job %s is paused; fire time skipped", job_id)
        return None
    if lease:
        holder = runtime.leases.holder(lease)
        if holder is not None:
            log.info("job %s skipped: %s", job_id, LeaseHeld(holder))
            return None
    return runtime.dispatcher.dispatch(target, check_arguments(kwargs))


def execute_one_off(target: str, kwargs: dict[str, Any]) -> Any:
    """Run a claimed one-off request (its pause flag and lease were checked when claimed)."""
    runtime = active()
    if runtime is None:
        log.warning("request for %s is due but no scheduler runtime is installed here", target)
        return None
    return runtime.dispatcher.dispatch(target, check_arguments(kwargs))
