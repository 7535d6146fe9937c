"""Rich progress bars and the summary table of a sync run."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from hub.sync.context import StreamCounts
from hub.sync.runner import RunResult


class RichObserver:
    """One live line per binding and phase: records read, written, failed, and the rate."""

    def __init__(self, console: Console) -> None:
        self.bars = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description:<34}"),
            TextColumn("{task.fields[summary]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[tuple[str, str], TaskID] = {}
        self._started: dict[tuple[str, str], float] = {}

    def __enter__(self) -> RichObserver:
        self.bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.stop()

    def phase_started(self, key: str, phase: str) -> None:
        """Add a line for the phase."""
        self._tasks[(key, phase)] = self.bars.add_task(
            f"{phase:<4} {key}", total=None, summary="starting"
        )
        self._started[(key, phase)] = time.monotonic()

    def progress(self, key: str, phase: str, counts: StreamCounts) -> None:
        """Refresh the line's figures."""
        self.bars.update(self._tasks[(key, phase)], summary=self._summary(key, phase, counts))

    def phase_finished(self, key: str, phase: str, counts: StreamCounts) -> None:
        """Final figures; the spinner stops."""
        task = self._tasks[(key, phase)]
        self.bars.update(task, summary=self._summary(key, phase, counts), total=1, completed=1)

    def _summary(self, key: str, phase: str, counts: StreamCounts) -> str:
        elapsed = max(time.monotonic() - self._started[(key, phase)], 1e-6)
        if phase == "pull":
            done = counts.read
            text = f"read {counts.read:>7,}  stored {counts.created + counts.updated:>7,}"
        else:
            done = counts.pushed_created + counts.pushed_updated
            text = f"written {done:>7,}"
        failed = counts.push_failed if phase == "push" else counts.dead_lettered
        style = "red" if failed else "dim"
        return f"{text}  [{style}]failed {failed:>5,}[/]  {done / elapsed:>8,.0f}/s"


def summary_table(result: RunResult) -> Table:
    """Per-binding counts of a finished run."""
    title = f"{'DRY RUN of ' if result.dry_run else ''}pipeline {result.pipeline}: {result.status}"
    table = Table(title=title)
    columns = (
        "binding",
        "read",
        "created",
        "updated",
        "unchanged",
        "linked",
        "held",
        "dead-lettered",
        "deleted",
        "pushed new",
        "pushed upd",
        "push failed",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "binding" else "right")
    for key, c in result.counts.items():
        table.add_row(
            key,
            *(
                f"{v:,}"
                for v in (
                    c.read,
                    c.created,
                    c.updated,
                    c.unchanged,
                    c.linked,
                    c.held,
                    c.dead_lettered,
                    c.deleted,
                    c.pushed_created,
                    c.pushed_updated,
                    c.push_failed,
                )
            ),
        )
    return table


def requests_table(result: RunResult) -> Table:
    """HTTP requests per connector instance."""
    table = Table(
        "connector", "requests", "retries", "rate limited", "seconds", title="vendor requests"
    )
    for instance, stats in result.requests.items():
        table.add_row(
            instance,
            str(stats.get("requests", 0)),
            str(stats.get("retries", 0)),
            str(stats.get("rate_limited", 0)),
            str(stats.get("seconds", 0)),
        )
    return table
