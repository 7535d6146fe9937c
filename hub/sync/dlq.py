"""The dead-letter queue: list, inspect, retry and discard records that failed a stage.

A retry first gives the source a chance (an incremental pull picks up a record
fixed where it lives), then replays the stored payload through the current
mappings; an outbound letter is pushed again. A letter whose record now goes
through disappears, leaving only an audit line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update

from hub.settings import Settings
from hub.sync import repo
from hub.sync.pull import pull_binding
from hub.sync.pull_page import PagePull
from hub.sync.push import push_records
from hub.sync.runner import PipelineError, close_run, open_run

DEAD = repo.DEAD


@dataclass
class RetryReport:
    """Which letters went through and which are still failing (with their latest error)."""

    resolved: list[int] = field(default_factory=list)
    failing: dict[int, str] = field(default_factory=dict)
    run_ids: list[str] = field(default_factory=list)


def list_letters(
    engine: Engine, *, status: str = "open", limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """Dead letters, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(DEAD)
            .where(DEAD.c.status == status)
            .order_by(DEAD.c.last_attempt.desc(), DEAD.c.id.desc())
            .limit(limit)
            .offset(offset)
        ).mappings()
        return [dict(r) for r in rows]


def get_letter(engine: Engine, letter_id: int) -> dict[str, Any] | None:
    """One dead letter with its payload."""
    with engine.connect() as conn:
        row = conn.execute(select(DEAD).where(DEAD.c.id == letter_id)).mappings().first()
        return dict(row) if row else None


def discard(engine: Engine, letter_id: int, *, actor: str) -> bool:
    """Give up on a letter on purpose (kept, marked discarded, audited)."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        done = conn.execute(
            update(DEAD)
            .where(DEAD.c.id == letter_id, DEAD.c.status == "open")
            .values(status="discarded", last_attempt=now)
        ).rowcount
        if done:
            repo.audit(
                conn, actor=actor, action="dlq.discard", target=str(letter_id), details={}, at=now
            )
    return bool(done)


async def retry(
    settings: Settings, engine: Engine, letter_ids: Sequence[int], *, actor: str
) -> RetryReport:
    """Retry these letters (see module docstring); unknown or closed ids are reported as failing."""
    report = RetryReport()
    letters = [
        letter
        for i in letter_ids
        if (letter := get_letter(engine, i)) is not None and letter["status"] == "open"
    ]
    for missing in set(letter_ids) - {letter["id"] for letter in letters}:
        report.failing[missing] = "no open dead letter with this id"
    by_pipeline: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for letter in letters:
        if not letter["pipeline"] or letter["pipeline"] not in settings.pipelines:
            report.failing[letter["id"]] = f"pipeline {letter['pipeline']!r} is not configured"
            continue
        by_pipeline[letter["pipeline"]].append(letter)
    for pipeline, items in by_pipeline.items():
        await _retry_pipeline(settings, engine, pipeline, items, actor, report)
    return report


async def _retry_pipeline(
    settings: Settings,
    engine: Engine,
    pipeline: str,
    letters: list[dict[str, Any]],
    actor: str,
    report: RetryReport,
) -> None:
    ctx = open_run(settings, engine, pipeline, trigger="dlq-retry", holder=actor)
    report.run_ids.append(ctx.run_id)
    error: str | None = None
    try:
        bindings = {(b.instance, b.spec.stream): b for b in ctx.bindings}
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for letter in letters:
            groups[(letter["connector"], letter["stream"], letter["direction"])].append(letter)
        for (connector, stream, direction), items in groups.items():
            binding = bindings.get((connector, stream))
            if binding is None:
                for letter in items:
                    report.failing[letter["id"]] = (
                        f"{connector}.{stream} is no longer part of pipeline {pipeline}"
                    )
                continue
            if direction == "in":
                await pull_binding(ctx, binding)
                still = [letter for letter in items if _is_open(engine, letter["id"])]
                if still:
                    with ctx.tx.unit() as conn:
                        PagePull(ctx, binding, conn).run(
                            [
                                letter["payload"]
                                for letter in still
                                if isinstance(letter["payload"], dict)
                            ]
                        )
            else:
                await push_records(
                    ctx, binding, [letter["hub_id"] for letter in items if letter["hub_id"]]
                )
    except PipelineError:
        raise
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    await close_run(ctx, engine, error)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for letter in letters:
            current = conn.execute(
                select(DEAD.c.status, DEAD.c.error).where(DEAD.c.id == letter["id"])
            ).first()
            if current is None:
                report.resolved.append(letter["id"])
            elif letter["id"] not in report.failing:
                report.failing[letter["id"]] = current[1]
        repo.audit(
            conn,
            actor=actor,
            action="dlq.retry",
            target=pipeline,
            details={"letters": [x["id"] for x in letters], "run_id": ctx.run_id, "error": error},
            at=now,
        )


def _is_open(engine: Engine, letter_id: int) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(
                select(DEAD.c.id).where(DEAD.c.id == letter_id, DEAD.c.status == "open")
            ).first()
            is not None
        )
