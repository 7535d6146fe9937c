"""The control API of background sync, for the web app and the command line.

Everything it reads and writes lives in the database (pause flags, leases, the
job store's next fire times, queued runs), so a web process, the command line
and the scheduler process agree without talking to each other: a pause set here
is obeyed by the leader on its next poll and by every run as it starts; a
trigger queues a request the leader hands out on its next poll.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from hub.budgets.ledger import BudgetLedger, BudgetState
from hub.config_store import effective_settings
from hub.scheduling import names
from hub.scheduling.specs import RUN_PIPELINE, describe
from hub.settings import Settings
from hub.store import Run
from jobs.flags import JobFlags
from jobs.leases import LeaseInfo, LeaseManager
from jobs.requests import RequestQueue
from jobs.scheduler import next_run_times
from jobs.service import LEADER_LEASE

RUN = Run.__table__  # type: ignore[attr-defined]
_SEVERITY = {"ok": 0, "slow": 1, "paused": 2}


class UnknownPipeline(KeyError):
    """No pipeline of that name is configured; the message lists the ones that are."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class JobStatus:
    """One pipeline's place in background sync."""

    pipeline: str
    schedule: str
    """When it runs, in words: ``every 15 min (Asia/Shanghai)``, ``manual only``, ``disabled``."""
    next_run_at: datetime | None
    """``None`` while paused, for manual pipelines, and before a scheduler has led once."""
    paused: bool
    lease_holder: str | None
    """Who runs it right now (``worker@host:pid/...``), if anyone."""
    lease_expires_at: datetime | None
    last_run: dict[str, Any] | None
    """``id``, ``status``, ``trigger``, ``started_at``, ``finished_at``, ``error``."""
    budget: dict[str, Any] | None
    """The tightest budget of its connectors: ``used``, ``limit``, ``state``, ``reason``..."""


class SchedulerControl:
    """Status, pause, resume and trigger of scheduled pipelines (see module docstring)."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.flags = JobFlags(engine)
        self.leases = LeaseManager(engine)
        self.requests = RequestQueue(engine)

    def effective(self) -> Settings:
        """The settings now in force (pipelines stored from the web UI included)."""
        return effective_settings(self.settings, self.engine)

    def jobs(self) -> list[JobStatus]:
        """Every configured pipeline's status, in configuration order."""
        settings = self.effective()
        next_runs = next_run_times(self.engine)
        flags = self.flags.all()
        holders = self.leases.holders(prefix=names.PIPELINE_PREFIX)
        ledger = BudgetLedger(settings, self.engine)
        statuses = []
        for name, pipeline in settings.pipelines.items():
            flag = flags.get(names.job_id(name))
            paused = bool(flag and flag.paused)
            holder = holders.get(names.lease_name(name))
            instances = sorted({b.connector for b in pipeline.streams})
            statuses.append(
                JobStatus(
                    pipeline=name,
                    schedule=describe(pipeline),
                    next_run_at=None if paused else next_runs.get(names.job_id(name)),
                    paused=paused,
                    lease_holder=holder.owner if holder else None,
                    lease_expires_at=holder.expires_at if holder else None,
                    last_run=self._last_run(name),
                    budget=_tightest([ledger.state(i) for i in instances]),
                )
            )
        return statuses

    def pause(self, pipeline: str, *, by: str = "web") -> None:
        """Stop scheduled and webhook runs of ``pipeline`` (a running one finishes)."""
        self._known(pipeline)
        self.flags.set_paused(names.job_id(pipeline), True, by=by)

    def resume(self, pipeline: str, *, by: str = "web") -> None:
        """Let ``pipeline`` run on its schedule again (from the next fire time after now)."""
        self._known(pipeline)
        self.flags.set_paused(names.job_id(pipeline), False, by=by)

    def trigger(self, pipeline: str, *, by: str = "web", full: bool = False) -> str:
        """Queue an immediate run of ``pipeline``; returns what happened, in words.

        Runs even while the pipeline is paused (a person asked for it); waits while
        the pipeline is running and starts right after.
        """
        self._known(pipeline)
        request = self.requests.submit(
            names.request_key(pipeline),
            RUN_PIPELINE,
            {"pipeline": pipeline, "trigger": "manual", "full": full},
            lease=names.lease_name(pipeline),
            requested_by=by,
        )
        leader = self.leader()
        poll = self.settings.scheduling.poll_seconds
        text = f"run of {pipeline} queued (request {request.id})"
        if request.hits > 1:
            text = f"run of {pipeline} already queued (request {request.id}, asked {request.hits} times)"
        if leader is None:
            return text + "; no scheduler is running: start `synchub serve` or `synchub scheduler`"
        return text + f"; scheduler {leader.owner} starts it within {poll:g} s"

    def leader(self) -> LeaseInfo | None:
        """The scheduler process leading now, if any."""
        return self.leases.holder(LEADER_LEASE)

    def _known(self, pipeline: str) -> None:
        settings = self.effective()
        if pipeline not in settings.pipelines:
            known = ", ".join(settings.pipelines) or "none configured"
            raise UnknownPipeline(f"no pipeline named {pipeline!r} (configured: {known})")

    def _last_run(self, pipeline: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(
                        RUN.c.id,
                        RUN.c.status,
                        RUN.c.trigger,
                        RUN.c.started_at,
                        RUN.c.finished_at,
                        RUN.c.error,
                    )
                    .where(RUN.c.pipeline == pipeline)
                    .order_by(RUN.c.started_at.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
        return dict(row) if row else None


def _tightest(states: list[BudgetState | None]) -> dict[str, Any] | None:
    known = [s for s in states if s is not None]
    if not known:
        return None
    return max(known, key=lambda s: (_SEVERITY[s.state], s.fraction)).as_dict()
