"""Starting runs from the console: each run in its own thread and event loop.

A run does blocking store work between its awaits, so it gets a thread of its
own rather than the web server's event loop (pages stay responsive while it
goes). The launcher returns the run id as soon as ``open_run`` has recorded the
run: the run thread reports it through an observer's first callback, or its
failure to start. Dry runs store no events and no diff, so their ``RunResult``
is kept in memory for the run page.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from connectors.sdk import mask_text
from hub.scheduling.guard import run_guarded
from hub.settings import Settings
from hub.store import Run
from hub.sync.context import StreamCounts
from hub.sync.runner import RunResult, run_pipeline

RUN = Run.__table__  # type: ignore[attr-defined]
KEEP_RESULTS = 50


class RunStartError(Exception):
    """The run could not start (unknown pipeline, bad connector or mapping); message for people."""


@dataclass
class _Started:
    """Set once the run row exists (first observer callback) or the thread has ended."""

    event: threading.Event = field(default_factory=threading.Event)
    error: str | None = None

    def phase_started(self, key: str, phase: str) -> None:
        self.event.set()

    def progress(self, key: str, phase: str, counts: StreamCounts) -> None:
        self.event.set()

    def phase_finished(self, key: str, phase: str, counts: StreamCounts) -> None:
        self.event.set()


class RunLauncher:
    """Runs pipelines in background threads and remembers recent results."""

    def __init__(self) -> None:
        self.results: OrderedDict[str, RunResult] = OrderedDict()
        self.threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    def start(
        self,
        settings: Settings,
        engine: Engine,
        pipeline: str,
        *,
        dry_run: bool,
        full: bool,
        actor: str,
    ) -> str:
        """Start a run and return its id once recorded; ``RunStartError`` if it cannot start."""
        holder = f"web:{actor}:{uuid.uuid4().hex[:8]}"
        started = _Started()

        def body() -> None:
            try:
                if dry_run:  # writes nothing, so it needs no lease
                    run = run_pipeline(
                        settings,
                        engine,
                        pipeline,
                        full=full,
                        dry_run=True,
                        observer=started,
                        trigger="web",
                        holder=holder,
                    )
                else:  # under the pipeline's lease: refused while it runs anywhere else
                    run = run_guarded(
                        settings,
                        engine,
                        pipeline,
                        full=full,
                        observer=started,
                        trigger="web",
                        role="web",
                        owner=holder,
                    )
                result = asyncio.run(run)
                with self._lock:
                    self.results[result.run_id] = result
                    while len(self.results) > KEEP_RESULTS:
                        self.results.popitem(last=False)
            except Exception as exc:
                started.error = mask_text(f"{type(exc).__name__}: {exc}")
            finally:
                started.event.set()

        thread = threading.Thread(target=body, name=f"run-{pipeline}", daemon=True)
        thread.start()
        started.event.wait()
        with engine.connect() as conn:
            run_id = conn.execute(select(RUN.c.id).where(RUN.c.holder == holder)).scalar()
        if run_id is None:
            raise RunStartError(started.error or f"pipeline {pipeline!r} did not start")
        self.threads[run_id] = thread
        return str(run_id)

    def result(self, run_id: str) -> RunResult | None:
        """The in-memory result of a finished run started here (dry runs' diffs live only here)."""
        with self._lock:
            return self.results.get(run_id)

    def join(self, run_id: str, timeout: float | None = None) -> None:
        """Wait for a run started here to end (tests, shutdown)."""
        thread = self.threads.get(run_id)
        if thread is not None:
            thread.join(timeout)

    def snapshot(self) -> dict[str, Any]:
        """Threads still running, for the overview."""
        return {run_id: t.is_alive() for run_id, t in self.threads.items()}
