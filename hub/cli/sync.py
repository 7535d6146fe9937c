"""``synchub pipelines`` and ``synchub sync``: what is configured, and running it now."""

from __future__ import annotations

import asyncio

import typer
from rich.table import Table
from sqlalchemy import select

from hub.cli.context import console, fail, get
from hub.cli.progress import RichObserver, requests_table, summary_table
from hub.scheduling.guard import BudgetPaused, PipelineBusy, run_guarded
from hub.store import Run, upgrade
from hub.sync.runner import PipelineError, run_pipeline

pipelines_app = typer.Typer(help="Show the configured sync pipelines.", no_args_is_help=True)
sync_app = typer.Typer(help="Run a sync pipeline now.", no_args_is_help=True)
RUN = Run.__table__  # type: ignore[attr-defined]


@pipelines_app.command("list")
def list_cmd(ctx: typer.Context) -> None:
    """Pipelines with their streams, schedule and last run."""
    cli = get(ctx)
    settings = cli.settings
    upgrade(cli.engine)
    table = Table(
        "pipeline",
        "streams (instance.stream direction)",
        "policy",
        "schedule",
        "last run",
        title="Pipelines",
    )
    with cli.engine.connect() as conn:
        for name, pipeline in settings.pipelines.items():
            last = conn.execute(
                select(RUN.c.status, RUN.c.started_at)
                .where(RUN.c.pipeline == name)
                .order_by(RUN.c.started_at.desc())
                .limit(1)
            ).first()
            streams = "\n".join(f"{b.connector}.{b.stream} {b.direction}" for b in pipeline.streams)
            schedule = pipeline.schedule
            when = (
                "manual"
                if schedule is None
                else (
                    f"every {schedule.interval_minutes:g} min"
                    if schedule.interval_minutes
                    else f"cron {schedule.cron}"
                )
            )
            last_text = f"{last[0]} at {last[1]:%Y-%m-%d %H:%M}" if last else "never"
            table.add_row(
                name + ("" if pipeline.enabled else " (disabled)"),
                streams,
                pipeline.conflict_policy.value,
                when,
                last_text,
            )
    console.print(
        table if settings.pipelines else "no pipelines configured (see config/hub.example.yaml)"
    )


@sync_app.command("run")
def run_cmd(
    ctx: typer.Context,
    pipeline: str = typer.Argument(..., help="Pipeline name (see `synchub pipelines list`)."),
    full: bool = typer.Option(
        False, "--full", help="Ignore cursors: read everything and sweep deletions."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report what would change; write nothing anywhere."
    ),
) -> None:
    """Run PIPELINE once with live progress, then print a summary. Exit 1 if the run failed."""
    cli = get(ctx)
    upgrade(cli.engine)
    try:
        with RichObserver(console) as observer:
            if dry_run:  # writes nothing, so it needs no lease
                result = asyncio.run(
                    run_pipeline(
                        cli.settings,
                        cli.engine,
                        pipeline,
                        dry_run=True,
                        full=full,
                        observer=observer,
                        trigger="cli",
                    )
                )
            else:  # under the pipeline's lease: refused while it runs anywhere else
                result = asyncio.run(
                    run_guarded(
                        cli.settings,
                        cli.engine,
                        pipeline,
                        full=full,
                        observer=observer,
                        trigger="cli",
                        role="cli",
                    )
                )
    except (PipelineError, PipelineBusy, BudgetPaused) as exc:
        raise fail(str(exc)) from None
    console.print(summary_table(result))
    console.print(requests_table(result))
    if result.dry_run:
        console.print(f"[bold]would write {len(result.would)} record(s)[/]; nothing was written")
        for item in result.would[:50]:
            console.print(
                f"  {item['action']:<6} {item['binding']} {item['hub_id']} fields: {', '.join(item['fields'])}"
            )
    console.print(
        f"run {result.run_id}: {result.status} in {(result.finished_at - result.started_at).total_seconds():.1f}s"
    )
    total = result.total()
    if total.dead_lettered:
        console.print(
            f"[yellow]{total.dead_lettered} record(s) dead-lettered[/]: see `synchub dlq list`"
        )
    if total.held:
        console.print(f"[yellow]{total.held} conflict(s) held[/]: see `synchub conflicts list`")
    if result.error:
        raise fail(f"run failed: {result.error}")
