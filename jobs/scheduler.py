"""APScheduler 3 wiring: job specs, a persistent job store on the engine handed in, reconciling.

Every job runs ``jobs.dispatch:execute`` with the target's textual reference and
JSON arguments, so the persistent store never pickles our functions. Defaults
are explicit: ``coalesce`` (many missed fire times run once), ``max_instances=1``
(an overrun never starts a second instance in this scheduler; leases cover other
processes) and a misfire grace time per job (a fire time missed by more than
the grace, because no scheduler was running, is skipped rather than run late).

Specs are reconciled into the store instead of replaced, so a job whose spec is
unchanged keeps its stored next fire time: a new leader after a failover runs a
fire time the old one missed (within the grace) exactly once.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, select

from jobs.references import check_arguments
from jobs.schema import JOBSTORE, JOBSTORE_TABLE

EXECUTE = "jobs.dispatch:execute"
STORE, ONE_OFF = "default", "oneoff"
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A trigger for a standard five-field crontab line (0 and 7 are Sunday, as in cron).

    APScheduler 3 numbers weekdays from Monday, so numeric weekdays are turned
    into names first; a bad line raises ``ValueError`` saying what is wrong.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"cron {expression!r} needs five fields: minute hour day month weekday")
    fields[4] = re.sub(r"(?<![/\d])([0-7])(?!\d)", lambda m: _WEEKDAYS[int(m.group(1))], fields[4])
    try:
        return CronTrigger.from_crontab(" ".join(fields), timezone=ZoneInfo(timezone))
    except (ValueError, KeyError) as exc:
        raise ValueError(f"cron {expression!r} is not valid: {exc}") from None


@dataclass(frozen=True)
class JobSpec:
    """A recurring job: what to run (reference + JSON arguments) and when."""

    id: str
    target: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    interval_seconds: float | None = None
    cron: str | None = None
    timezone: str = "UTC"
    misfire_grace_seconds: int = 300
    lease: str | None = None
    """Skip a fire time while this lease is held (the work is still running)."""

    def __post_init__(self) -> None:
        if (self.interval_seconds is None) == (self.cron is None):
            raise ValueError(f"job {self.id}: give exactly one of interval_seconds or cron")
        check_arguments(self.kwargs)

    def trigger(self) -> IntervalTrigger | CronTrigger:
        """The APScheduler trigger of this spec."""
        if self.cron is not None:
            return cron_trigger(self.cron, self.timezone)
        assert self.interval_seconds is not None
        return IntervalTrigger(seconds=self.interval_seconds, timezone=ZoneInfo(self.timezone))

    def fingerprint(self) -> str:
        """A short digest of the spec, to notice a changed spec."""
        text = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def job_name(self) -> str:
        """The stored job's name: its id and fingerprint (``pipeline:crm#1a2b3c4d5e6f``)."""
        return f"{self.id}#{self.fingerprint()}"

    def describe(self) -> str:
        """When the job runs, in words (``every 15 min (Asia/Shanghai)``)."""
        if self.cron is not None:
            return f"cron {self.cron} ({self.timezone})"
        assert self.interval_seconds is not None
        seconds = self.interval_seconds
        if seconds >= 3600 and seconds % 3600 == 0:
            every = f"{seconds / 3600:g} h"
        elif seconds >= 60:
            every = f"{seconds / 60:g} min"
        else:
            every = f"{seconds:g} s"
        return f"every {every} ({self.timezone})"


class _BorrowedEngineStore(SQLAlchemyJobStore):  # type: ignore[misc]
    """APScheduler's SQLAlchemy store on an engine it does not own.

    The stock store disposes of its engine when the scheduler shuts down; this
    engine belongs to the caller, who goes on using it.
    """

    def shutdown(self) -> None:
        """Leave the engine alone."""


def build_scheduler(engine: Engine, *, threads: int = 4) -> BackgroundScheduler:
    """A background scheduler whose recurring jobs persist in ``engine`` (see module docstring)."""
    return BackgroundScheduler(
        jobstores={
            STORE: _BorrowedEngineStore(engine=engine, tablename=JOBSTORE_TABLE),
            ONE_OFF: MemoryJobStore(),
        },
        executors={"default": ThreadPoolExecutor(threads)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone=UTC,
    )


def stop_scheduler(scheduler: BackgroundScheduler, *, wait: bool = True) -> None:
    """Shut ``scheduler`` down without touching the persistent store on the way out.

    APScheduler 3's background thread makes one last pass over the job stores
    after shutdown has begun; a job due at that moment would be submitted to the
    stopped executor, fail, and have its next fire time advanced in the store,
    so the next leader would never run it. Detaching the store first leaves it
    exactly as it was.
    """
    scheduler.remove_jobstore(STORE)
    scheduler.shutdown(wait=wait)


def reconcile(scheduler: BackgroundScheduler, specs: list[JobSpec]) -> dict[str, list[str]]:
    """Make the persistent store hold exactly ``specs``; report added, changed, removed ids.

    Unchanged jobs are left alone, keeping their next fire time and pause state.
    """
    existing = {job.id: job for job in scheduler.get_jobs(jobstore=STORE)}
    report: dict[str, list[str]] = {"added": [], "changed": [], "removed": []}
    for spec in specs:
        job = existing.pop(spec.id, None)
        if job is not None and job.name == spec.job_name():
            continue
        report["added" if job is None else "changed"].append(spec.id)
        scheduler.add_job(
            EXECUTE,
            trigger=spec.trigger(),
            args=[spec.id, spec.target, spec.kwargs, spec.lease],
            id=spec.id,
            name=spec.job_name(),
            jobstore=STORE,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.misfire_grace_seconds,
        )
    for job_id in existing:
        scheduler.remove_job(job_id, jobstore=STORE)
        report["removed"].append(job_id)
    return report


def next_run_times(engine: Engine) -> dict[str, datetime | None]:
    """Each stored job's next fire time (``None``: paused), read straight from the store.

    For processes that do not run the scheduler (a web page, the command line).
    """
    with engine.connect() as conn:
        rows = conn.execute(select(JOBSTORE.c.id, JOBSTORE.c.next_run_time)).all()
    return {
        job_id: None if when is None else datetime.fromtimestamp(when, UTC) for job_id, when in rows
    }
