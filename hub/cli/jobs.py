"""``synchub scheduler``, ``synchub worker`` and ``synchub jobs``: background sync from the shell.

``scheduler`` and ``worker`` need an upgraded store (``synchub db upgrade`` once per
deployment): several of them start at once in a scale-out, and schema changes
are a deployment step, not a race between processes.
"""

from __future__ import annotations

import signal
import threading
from datetime import datetime
from types import FrameType

import typer
from rich.table import Table

from hub.cli.context import CliContext, console, fail, get
from hub.scheduling.control import JobStatus, SchedulerControl, UnknownPipeline
from hub.store.migrate import current_revision, head_revision

jobs_app = typer.Typer(
    help="Scheduled pipelines: status, pause, resume, run now.", no_args_is_help=True
)


def _ready(cli: CliContext) -> None:
    """Exit with a clear message unless the store is at the current schema."""
    current, head = current_revision(cli.engine), head_revision(cli.engine)
    if current != head:
        raise fail(
            f"the store is at schema {current or 'none'}, this release needs {head}: "
            "run `synchub db upgrade` first"
        )


def scheduler_cmd(ctx: typer.Context) -> None:
    """Run a scheduler: elect a leader, run pipelines on schedule (or send them to workers).

    Start one per machine you want to survive; only the leader schedules, and
    another takes over within one lease period if it dies. With a broker
    configured (SYNCHUB_BROKER_URL) runs go to `synchub worker` processes,
    otherwise they run in this process.
    """
    from hub.scheduling.service import build_service

    cli = get(ctx)
    _ready(cli)
    settings = cli.settings
    service = build_service(settings, cli.engine, role="scheduler")
    where = "Celery workers" if settings.broker_url else "this process"
    console.print(f"scheduler {service.owner}: runs go to {where}; Ctrl-C or SIGTERM stops")
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    service.start()
    stop.wait()
    console.print("stopping: waiting for running jobs, then giving up leadership")
    service.stop(timeout=settings.scheduling.lease_seconds)


def worker_cmd(
    ctx: typer.Context,
    concurrency: int | None = typer.Option(
        None, help="Runs at once (default: scheduling.worker_concurrency)."
    ),
    pool: str = typer.Option("threads", help="Celery pool: threads (default), prefork, solo."),
) -> None:
    """Run a Celery worker that executes the runs schedulers send (scale-out)."""
    from hub.scheduling import runtime
    from hub.scheduling.service import celery_app
    from jobs.celery_app import run_worker

    cli = get(ctx)
    settings = cli.settings
    if settings.broker_url is None:
        raise fail("no broker configured: set SYNCHUB_BROKER_URL (e.g. redis://127.0.0.1:6379/0)")
    _ready(cli)
    runtime.install(settings, cli.engine, role="worker")
    run_worker(
        celery_app(settings),
        concurrency=concurrency or settings.scheduling.worker_concurrency,
        pool=pool,
        loglevel=settings.log_level,
    )


def _control(ctx: typer.Context) -> SchedulerControl:
    cli = get(ctx)
    _ready(cli)
    return SchedulerControl(cli.settings, cli.engine)


def _when(value: datetime | None, cli: CliContext) -> str:
    return "-" if value is None else f"{value.astimezone(cli.settings.zone):%m-%d %H:%M:%S}"


def _state(job: JobStatus, cli: CliContext) -> str:
    parts = ["paused" if job.paused else "active"]
    if job.lease_holder:
        parts.append(f"running on {job.lease_holder} (lease to {_when(job.lease_expires_at, cli)})")
    return "\n".join(parts)


def _last(job: JobStatus, cli: CliContext) -> str:
    run = job.last_run
    if run is None:
        return "never"
    text = f"{run['status']} ({run['trigger']}) {_when(run['started_at'], cli)}"
    if run["status"] in ("failed", "paused") and run.get("error"):
        text += f"\n{str(run['error'])[:100]}"
    return text


@jobs_app.command("list")
def list_cmd(ctx: typer.Context) -> None:
    """Pipelines with schedule, next run, state, last run and API budget."""
    control = _control(ctx)
    cli = get(ctx)
    zone = cli.settings.timezone
    table = Table(
        "pipeline", "schedule", f"next run ({zone})", "state", "last run", "budget", title="Jobs"
    )
    jobs = control.jobs()
    for job in jobs:
        budget = job.budget
        table.add_row(
            job.pipeline,
            job.schedule,
            _when(job.next_run_at, cli),
            _state(job, cli),
            _last(job, cli),
            "-" if budget is None else f"{budget['state']}: {budget['reason']}",
        )
    console.print(table if jobs else "no pipelines configured (see config/hub.example.yaml)")
    leader = control.leader()
    console.print(
        f"scheduler leader: {leader.owner} (lease to {_when(leader.expires_at, cli)})"
        if leader
        else "no scheduler is running: start `synchub serve` or `synchub scheduler`"
    )


@jobs_app.command("pause")
def pause_cmd(
    ctx: typer.Context, pipeline: str = typer.Argument(..., help="Pipeline name.")
) -> None:
    """Stop scheduled and webhook runs of PIPELINE (a run in progress finishes)."""
    try:
        _control(ctx).pause(pipeline, by="cli")
    except UnknownPipeline as exc:
        raise fail(str(exc)) from None
    console.print(f"{pipeline} paused")


@jobs_app.command("resume")
def resume_cmd(
    ctx: typer.Context, pipeline: str = typer.Argument(..., help="Pipeline name.")
) -> None:
    """Let PIPELINE run on its schedule again."""
    try:
        _control(ctx).resume(pipeline, by="cli")
    except UnknownPipeline as exc:
        raise fail(str(exc)) from None
    console.print(f"{pipeline} resumed")


@jobs_app.command("trigger")
def trigger_cmd(
    ctx: typer.Context,
    pipeline: str = typer.Argument(..., help="Pipeline name."),
    full: bool = typer.Option(False, "--full", help="Ignore cursors: read everything."),
) -> None:
    """Queue a run of PIPELINE now; the scheduler starts it on its next poll."""
    try:
        console.print(_control(ctx).trigger(pipeline, by="cli", full=full))
    except UnknownPipeline as exc:
        raise fail(str(exc)) from None
