"""Maintenance jobs: retry due dead letters with backoff, prune old runs, renew credentials.

Dead letters: a letter is due when its ``next_attempt_at`` has passed and it has
failed fewer than ``dlq_max_attempts`` times. Each pipeline's due letters are
retried under that pipeline's lease (a pipeline running now is skipped; its
letters stay due for the next round). A letter that fails again waits twice as
long as the time before (``dlq_backoff_minutes`` doubling, capped at
``dlq_backoff_max_hours``); one that goes through disappears.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, or_, select, update

from connectors.sdk import ConnectorError
from hub.scheduling.names import holder_id, lease_name
from hub.settings import Settings
from hub.store import DeadLetter, Run, RunEvent
from hub.sync.dlq import retry
from hub.sync.instances import build_connector
from hub.webhooks.tables import WebhookDelivery
from jobs.holding import hold
from jobs.leases import LeaseHeld, LeaseManager

log = logging.getLogger(__name__)
DEAD = DeadLetter.__table__  # type: ignore[attr-defined]
RUN = Run.__table__  # type: ignore[attr-defined]
EVENT = RunEvent.__table__  # type: ignore[attr-defined]
DELIVERY = WebhookDelivery.__table__  # type: ignore[attr-defined]
PRUNE_BATCH = 500


@dataclass
class RetryRound:
    """What one round of dead-letter retries did."""

    resolved: list[int] = field(default_factory=list)
    failing: list[int] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    """Pipelines skipped because they were running."""
    run_ids: list[str] = field(default_factory=list)


def backoff(settings: Settings, attempts: int) -> timedelta:
    """Wait before the next retry of a letter that has failed ``attempts`` times."""
    cfg = settings.scheduling
    minutes = cfg.dlq_backoff_minutes * 2 ** max(0, attempts - 1)
    return min(timedelta(minutes=minutes), timedelta(hours=cfg.dlq_backoff_max_hours))


def due_letters(settings: Settings, engine: Engine, now: datetime) -> dict[str, list[int]]:
    """Open letters due for a retry, by pipeline."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(DEAD.c.id, DEAD.c.pipeline).where(
                DEAD.c.status == "open",
                DEAD.c.attempts < settings.scheduling.dlq_max_attempts,
                or_(DEAD.c.next_attempt_at.is_(None), DEAD.c.next_attempt_at <= now),
            )
        ).all()
    by_pipeline: dict[str, list[int]] = defaultdict(list)
    for letter_id, pipeline in rows:
        if pipeline in settings.pipelines:
            by_pipeline[pipeline].append(letter_id)
    return dict(by_pipeline)


async def retry_dead_letters(
    settings: Settings, engine: Engine, *, role: str, now: datetime | None = None
) -> RetryRound:
    """Retry every due letter, pipeline by pipeline, each under its pipeline's lease."""
    now = now or datetime.now(UTC)
    report = RetryRound()
    leases = LeaseManager(engine)
    for pipeline, ids in due_letters(settings, engine, now).items():
        owner = holder_id(role)
        try:
            async with hold(leases, lease_name(pipeline), owner, settings.scheduling.lease_seconds):
                outcome = await retry(settings, engine, ids, actor=owner)
        except LeaseHeld:
            report.busy.append(pipeline)
            continue
        report.resolved += outcome.resolved
        report.failing += list(outcome.failing)
        report.run_ids += outcome.run_ids
        _schedule_next(settings, engine, list(outcome.failing))
    return report


def _schedule_next(settings: Settings, engine: Engine, letter_ids: list[int]) -> None:
    with engine.begin() as conn:
        rows = conn.execute(
            select(DEAD.c.id, DEAD.c.attempts, DEAD.c.last_attempt).where(
                DEAD.c.id.in_(letter_ids), DEAD.c.status == "open"
            )
        ).all()
        for letter_id, attempts, last in rows:
            conn.execute(
                update(DEAD)
                .where(DEAD.c.id == letter_id)
                .values(next_attempt_at=last + backoff(settings, attempts))
            )


def prune_runs(settings: Settings, engine: Engine, *, now: datetime | None = None) -> int:
    """Delete finished runs (and their events) older than the retention; return how many.

    Also forgets webhook deliveries older than the same retention (their replay
    window is long past). Deletes in batches so a first prune of a big store does
    not hold one long transaction.
    """
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=settings.scheduling.run_retention_days)
    pruned = 0
    while True:
        with engine.begin() as conn:
            ids = list(
                conn.execute(
                    select(RUN.c.id)
                    .where(RUN.c.status != "running", RUN.c.started_at < cutoff)
                    .limit(PRUNE_BATCH)
                ).scalars()
            )
            if not ids:
                break
            conn.execute(delete(EVENT).where(EVENT.c.run_id.in_(ids)))
            conn.execute(delete(RUN).where(RUN.c.id.in_(ids)))
        pruned += len(ids)
    with engine.begin() as conn:
        conn.execute(delete(DELIVERY).where(DELIVERY.c.received_at < cutoff))
    if pruned:
        log.info("pruned %d run(s) older than %s", pruned, cutoff.date())
    return pruned


async def refresh_credentials(settings: Settings, now: datetime | None = None) -> dict[str, str]:
    """Ask every enabled connector instance to renew credentials lapsing within the margin.

    Returns a line per instance: valid until when, nothing to renew, or why not.
    """
    now = now or datetime.now(UTC)
    margin = timedelta(minutes=settings.scheduling.token_refresh_margin_minutes)
    report: dict[str, str] = {}
    for name, instance in settings.connectors.items():
        if not instance.enabled:
            continue
        try:
            async with build_connector(settings, name) as connector:
                expires = await connector.refresh_credentials(margin)
        except ConnectorError as exc:
            report[name] = f"failed: {exc}"
            log.error("connector %s: credentials could not be renewed: %s", name, exc)
            continue
        if expires is None:
            report[name] = "nothing to renew (credentials are minted per run)"
        elif expires - now < margin:
            report[name] = f"could not be renewed: expires {expires:%Y-%m-%d %H:%M} UTC"
            log.warning("connector %s: credentials still expire at %s", name, expires)
        else:
            report[name] = f"valid until {expires:%Y-%m-%d %H:%M} UTC"
    return report
