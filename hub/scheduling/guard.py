"""Running a pipeline under its lease, its API budgets, and the bookkeeping of dead holders.

Every run that writes (scheduled, webhook, manual from the command line) goes
through ``run_guarded``: it takes the pipeline's lease or raises
``PipelineBusy`` naming the holder; when the lease it takes had expired under
another holder, that holder's runs still marked ``running`` are closed as
abandoned (their end set to the moment the lease lapsed, so run intervals never
overlap); the run itself resumes from the cursors the dead run stored.

Budgets: before starting, a pipeline whose connector budget is spent is not
started (``BudgetPaused``); during the run the budget gate slows requests and
stops the run before the allowance is gone, and the run is recorded as
``paused`` with the budget's reason.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import Engine, update

from connectors.sdk.budget import budget_scope
from hub.budgets.gate import BudgetGate
from hub.budgets.ledger import BudgetLedger, BudgetState
from hub.scheduling.names import holder_id, lease_name
from hub.settings import Settings
from hub.store import Run
from hub.sync.context import RunObserver
from hub.sync.runner import RunResult, run_pipeline
from jobs.holding import hold
from jobs.leases import LeaseHeld, LeaseInfo, LeaseLost, LeaseManager

log = logging.getLogger(__name__)
RUN = Run.__table__  # type: ignore[attr-defined]


class PipelineBusy(Exception):
    """The pipeline is running elsewhere; the message names the holder."""

    def __init__(self, pipeline: str, holder: LeaseInfo) -> None:
        self.pipeline = pipeline
        self.holder = holder
        super().__init__(
            f"pipeline {pipeline} is already running, held by {holder.owner} since "
            f"{holder.acquired_at:%Y-%m-%d %H:%M:%S} UTC (lease renewed until "
            f"{holder.expires_at:%H:%M:%S} UTC)"
        )


class BudgetPaused(Exception):
    """A connector of the pipeline has spent its budget; the message says until when."""

    def __init__(self, pipeline: str, states: list[BudgetState]) -> None:
        self.pipeline = pipeline
        self.states = states
        super().__init__(
            f"pipeline {pipeline} waits for its API budget: " + "; ".join(s.reason for s in states)
        )


def spent_budgets(settings: Settings, engine: Engine, pipeline: str) -> list[BudgetState]:
    """The budgets of the pipeline's connector instances that are paused now."""
    ledger = BudgetLedger(settings, engine)
    instances = {binding.connector for binding in settings.pipelines[pipeline].streams}
    states = [ledger.state(name) for name in sorted(instances)]
    return [s for s in states if s is not None and s.state == "paused"]


async def run_guarded(
    settings: Settings,
    engine: Engine,
    pipeline: str,
    *,
    trigger: str,
    role: str,
    full: bool = False,
    observer: RunObserver | None = None,
    owner: str | None = None,
) -> RunResult:
    """Run ``pipeline`` once under its lease and budgets (see module docstring).

    ``owner`` names the lease holder (and the run's ``holder``); by default one is
    made from ``role``, the host and the process.
    """
    paused = spent_budgets(settings, engine, pipeline) if pipeline in settings.pipelines else []
    if paused:
        raise BudgetPaused(pipeline, paused)
    owner = owner or holder_id(role)
    leases = LeaseManager(engine)
    try:
        async with hold(
            leases, lease_name(pipeline), owner, settings.scheduling.lease_seconds
        ) as lease:
            if lease.previous_owner is not None:
                close_abandoned(engine, pipeline, lease.previous_owner, lease.previous_expired_at)
            gate = BudgetGate(BudgetLedger(settings, engine))
            with budget_scope(gate):
                try:
                    result = await run_pipeline(
                        settings,
                        engine,
                        pipeline,
                        full=full,
                        observer=observer,
                        trigger=trigger,
                        holder=owner,
                    )
                finally:
                    gate.flush()
            if gate.stopped is not None:
                result.status = "paused"
                result.error = f"paused for the API budget: {gate.stopped.reason}"
                _mark(engine, result.run_id, result.status, result.error)
            return result
    except LeaseHeld as exc:
        raise PipelineBusy(pipeline, exc.holder) from None
    except LeaseLost as exc:
        close_abandoned(engine, pipeline, owner, exc.lease.expires_at, reason=str(exc))
        raise


def close_abandoned(
    engine: Engine,
    pipeline: str,
    holder: str,
    lapsed_at: datetime | None,
    *,
    reason: str | None = None,
) -> int:
    """Close the runs ``holder`` left ``running``; returns how many there were."""
    ended = lapsed_at or datetime.now(UTC)
    message = reason or (
        f"abandoned: its holder {holder} stopped renewing the pipeline lease (process died or "
        f"stalled); the lease lapsed at {ended:%Y-%m-%d %H:%M:%S} UTC and the next run resumed "
        "from the stored cursors"
    )
    with engine.begin() as conn:
        closed = conn.execute(
            update(RUN)
            .where(RUN.c.pipeline == pipeline, RUN.c.holder == holder, RUN.c.status == "running")
            .values(status="failed", finished_at=ended, error=message)
        ).rowcount
    if closed:
        log.warning("pipeline %s: %d run(s) of %s closed as abandoned", pipeline, closed, holder)
    return int(closed)


def _mark(engine: Engine, run_id: str, status: str, error: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(RUN).where(RUN.c.id == run_id).values(status=status, error=error))
