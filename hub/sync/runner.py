"""Running a pipeline: pull every inbound binding, then push every outbound one.

The run is recorded (``run`` row, per-binding counts and request counters, and
``run_event`` rows for live progress); a failure of one run leaves cursors where
the last stored page put them, so the next run resumes without gaps.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, update

from connectors.sdk import ConnectorError, mask_text
from hub.settings import Settings
from hub.store import Run, RunEvent
from hub.sync.context import Binding, RunContext, RunObserver, SilentObserver, StreamCounts
from hub.sync.instances import MappingCatalogue, build_connector
from hub.sync.pull import pull_binding
from hub.sync.push import push_binding
from hub.sync.tx import Transactions

log = logging.getLogger(__name__)
RUN = Run.__table__  # type: ignore[attr-defined]
EVENT = RunEvent.__table__  # type: ignore[attr-defined]


class PipelineError(Exception):
    """The pipeline cannot run as configured (unknown name, missing mapping, bad connector)."""


@dataclass
class RunResult:
    """What a run did; the CLI prints it, tests assert on it."""

    run_id: str
    pipeline: str
    status: str
    counts: dict[str, StreamCounts]
    requests: dict[str, dict[str, Any]]
    started_at: datetime
    finished_at: datetime
    dry_run: bool = False
    error: str | None = None
    would: list[dict[str, Any]] = field(default_factory=list)

    def total(self) -> StreamCounts:
        """All bindings' counters summed."""
        total = StreamCounts()
        for counts in self.counts.values():
            total.add(counts)
        return total


class EventRecorder:
    """Stores progress as ``run_event`` rows (at most one progress row per second per binding)."""

    def __init__(self, engine: Engine, run_id: str, inner: RunObserver) -> None:
        self.engine = engine
        self.run_id = run_id
        self.inner = inner
        self._last: dict[str, float] = {}

    def _event(self, key: str, kind: str, counts: StreamCounts | None, message: str = "") -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(EVENT).values(
                    run_id=self.run_id,
                    at=datetime.now().astimezone(),
                    stream=key,
                    level="info",
                    kind=kind,
                    message=message,
                    data=counts.as_dict() if counts else {},
                )
            )

    def phase_started(self, key: str, phase: str) -> None:
        """Record and forward."""
        self._event(key, f"{phase}_started", None)
        self.inner.phase_started(key, phase)

    def progress(self, key: str, phase: str, counts: StreamCounts) -> None:
        """Record (throttled) and forward."""
        now = time.monotonic()
        if now - self._last.get(key, 0.0) >= 1.0:
            self._last[key] = now
            self._event(key, f"{phase}_progress", counts)
        self.inner.progress(key, phase, counts)

    def phase_finished(self, key: str, phase: str, counts: StreamCounts) -> None:
        """Record and forward."""
        self._event(key, f"{phase}_finished", counts)
        self.inner.phase_finished(key, phase, counts)


async def run_pipeline(
    settings: Settings,
    engine: Engine,
    name: str,
    *,
    full: bool = False,
    dry_run: bool = False,
    observer: RunObserver | None = None,
    trigger: str = "manual",
    holder: str | None = None,
) -> RunResult:
    """Run pipeline ``name`` once; see the module docstring."""
    ctx = open_run(
        settings,
        engine,
        name,
        full=full,
        dry_run=dry_run,
        observer=observer,
        trigger=trigger,
        holder=holder,
    )
    error: str | None = None
    try:
        for binding in ctx.bindings:
            if binding.spec.pulls:
                await pull_binding(ctx, binding)
        for binding in ctx.bindings:
            if binding.spec.pushes:
                await push_binding(ctx, binding)
    except Exception as exc:
        error = mask_text(f"{type(exc).__name__}: {exc}")
        log.exception("run %s of pipeline %s failed", ctx.run_id, name)
    return await close_run(ctx, engine, error)


def open_run(
    settings: Settings,
    engine: Engine,
    name: str,
    *,
    full: bool = False,
    dry_run: bool = False,
    observer: RunObserver | None = None,
    trigger: str = "manual",
    holder: str | None = None,
) -> RunContext:
    """Record a new run of ``name`` and build its context (connectors, mappings, transactions)."""
    try:
        pipeline = settings.pipelines[name]
    except KeyError:
        known = ", ".join(settings.pipelines) or "none configured"
        raise PipelineError(f"no pipeline named {name!r} (configured: {known})") from None
    bindings = _bindings(settings, name)
    run_id = str(uuid.uuid4())
    started = datetime.now().astimezone()
    with engine.begin() as conn:
        conn.execute(
            insert(RUN).values(
                id=run_id,
                pipeline=name,
                status="running",
                trigger=trigger,
                dry_run=dry_run,
                full=full,
                holder=holder,
                started_at=started,
                counts={},
                requests={},
            )
        )
    inner = observer or SilentObserver()
    return RunContext(
        run_id=run_id,
        pipeline_name=name,
        pipeline=pipeline,
        settings=settings,
        tx=Transactions(engine, dry_run=dry_run),
        bindings=bindings,
        full=full,
        dry_run=dry_run,
        observer=inner if dry_run else EventRecorder(engine, run_id, inner),
        started_at=started,
    )


async def close_run(ctx: RunContext, engine: Engine, error: str | None) -> RunResult:
    """End the transactions, close connectors and record how the run ended."""
    ctx.tx.close()
    requests = {b.instance: b.connector.stats.as_dict() for b in ctx.bindings}
    for connector in {b.instance: b.connector for b in ctx.bindings}.values():
        await connector.aclose()
    total = StreamCounts()
    for counts in ctx.counts.values():
        total.add(counts)
    status = (
        "failed" if error else ("partial" if total.dead_lettered or total.held else "succeeded")
    )
    finished = datetime.now().astimezone()
    with engine.begin() as conn:
        conn.execute(
            update(RUN)
            .where(RUN.c.id == ctx.run_id)
            .values(
                status=status,
                finished_at=finished,
                error=error,
                requests=requests,
                counts={key: c.as_dict() for key, c in ctx.counts.items()},
            )
        )
    return RunResult(
        ctx.run_id,
        ctx.pipeline_name,
        status,
        ctx.counts,
        requests,
        ctx.started_at,
        finished,
        ctx.dry_run,
        error,
        ctx.would,
    )


def _bindings(settings: Settings, name: str) -> list[Binding]:
    pipeline = settings.pipelines[name]
    catalogue = MappingCatalogue(settings.mappings_dir)
    connectors: dict[str, Any] = {}
    bindings = []
    try:
        for spec in pipeline.streams:
            if spec.connector not in connectors:
                connectors[spec.connector] = build_connector(settings, spec.connector)
            connector = connectors[spec.connector]
            connector_type = settings.connectors[spec.connector].type
            mapping = catalogue.for_binding(spec, connector_type)
            stream = connector.stream(spec.stream)
            if mapping.spec.entity != stream.entity:
                raise PipelineError(
                    f"{spec.connector}.{spec.stream}: mapping {mapping.name} is for {mapping.spec.entity}, "
                    f"the stream carries {stream.entity}"
                )
            bindings.append(Binding(spec, connector, connector_type, stream, mapping))
    except ConnectorError as exc:
        raise PipelineError(f"pipeline {name!r}: {exc}") from exc
    return bindings
