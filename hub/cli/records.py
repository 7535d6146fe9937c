"""``synchub runs`` and ``synchub records``: what ran, and what the hub holds about one record."""

from __future__ import annotations

import json

import typer
from rich.table import Table
from sqlalchemy import select

from hub.cli.context import console, fail, get
from hub.model import ENTITIES, canonical_fields
from hub.store import Run, RunEvent, upgrade
from hub.sync import repo

runs_app = typer.Typer(help="Sync runs: status, counts, requests, errors.", no_args_is_help=True)
records_app = typer.Typer(
    help="Inspect canonical records with provenance and raw vendor payloads.", no_args_is_help=True
)
RUN = Run.__table__  # type: ignore[attr-defined]
EVENT = RunEvent.__table__  # type: ignore[attr-defined]


@runs_app.command("list")
def runs_list(
    ctx: typer.Context,
    pipeline: str | None = typer.Option(None, help="Only this pipeline."),
    limit: int = typer.Option(20, help="How many, newest first."),
) -> None:
    """Recent runs."""
    engine = get(ctx).engine
    upgrade(engine)
    query = select(RUN).order_by(RUN.c.started_at.desc()).limit(limit)
    if pipeline:
        query = query.where(RUN.c.pipeline == pipeline)
    table = Table(
        "run",
        "pipeline",
        "status",
        "trigger",
        "started",
        "seconds",
        "read",
        "written",
        "dead",
        title="Runs",
    )
    with engine.connect() as conn:
        for run in conn.execute(query).mappings():
            counts = run["counts"] or {}
            read = sum(c.get("read", 0) for c in counts.values())
            written = sum(
                c.get("pushed_created", 0) + c.get("pushed_updated", 0) for c in counts.values()
            )
            dead = sum(c.get("dead_lettered", 0) for c in counts.values())
            seconds = (
                (run["finished_at"] - run["started_at"]).total_seconds()
                if run["finished_at"]
                else None
            )
            status = run["status"] + (" (dry)" if run["dry_run"] else "")
            table.add_row(
                run["id"][:8],
                run["pipeline"],
                status,
                run["trigger"],
                f"{run['started_at']:%Y-%m-%d %H:%M:%S}",
                f"{seconds:.1f}" if seconds is not None else "",
                str(read),
                str(written),
                str(dead),
            )
    console.print(table)


@runs_app.command("show")
def runs_show(
    ctx: typer.Context, run_id: str = typer.Argument(..., help="Run id or its first characters.")
) -> None:
    """One run: counts per stream, requests per connector, error, events."""
    engine = get(ctx).engine
    with engine.connect() as conn:
        run = conn.execute(select(RUN).where(RUN.c.id.like(f"{run_id}%"))).mappings().first()
        if run is None:
            raise fail(f"no run {run_id}")
        events = list(
            conn.execute(
                select(EVENT).where(EVENT.c.run_id == run["id"]).order_by(EVENT.c.id)
            ).mappings()
        )
    console.print(
        f"[bold]run {run['id']}[/] of {run['pipeline']}: {run['status']} (trigger {run['trigger']})"
    )
    console.print(f"started {run['started_at']}, finished {run['finished_at']}")
    if run["error"]:
        console.print(f"[red]error:[/] {run['error']}", highlight=False)
    console.print_json(
        json.dumps({"counts": run["counts"], "requests": run["requests"]}, default=str)
    )
    for event in events:
        console.print(
            f"  {event['at']:%H:%M:%S} {event['stream']} {event['kind']} {event['data'] or ''}",
            highlight=False,
        )


@records_app.command("show")
def records_show(
    ctx: typer.Context,
    entity: str = typer.Argument(..., help=f"One of: {', '.join(ENTITIES)}."),
    hub_id: str = typer.Argument(..., help="Hub id of the record."),
) -> None:
    """Canonical values with the source of each field, then each linked system's raw record."""
    if entity not in ENTITIES:
        raise fail(f"unknown entity {entity!r}; expected one of {', '.join(ENTITIES)}")
    engine = get(ctx).engine
    with engine.connect() as conn:
        row = repo.rows_by_id(conn, entity, [hub_id]).get(hub_id)
        if row is None:
            raise fail(f"no {entity} {hub_id}")
        links = list(
            conn.execute(
                select(repo.LINK).where(repo.LINK.c.entity == entity, repo.LINK.c.hub_id == hub_id)
            ).mappings()
        )
    table = Table(
        "field", "value", "set by", "run", title=f"{entity} {hub_id} (version {row['version']})"
    )
    provenance = row["provenance"] or {}
    for field in canonical_fields(entity):
        source = provenance.get(field) or [None, None]
        table.add_row(
            field,
            "" if row[field] is None else str(row[field]),
            source[0] or "",
            (source[1] or "")[:8],
        )
    for key, value in (row["extra"] or {}).items():
        source = provenance.get(f"extra.{key}") or [None, None]
        table.add_row(f"extra.{key}", str(value), source[0] or "", (source[1] or "")[:8])
    console.print(table)
    if row["deleted_at"]:
        console.print(f"[yellow]deleted at {row['deleted_at']}[/]")
    for link in links:
        console.print(
            f"[bold]{link['connector']}.{link['stream']}[/] remote id {link['remote_id']}"
            f" (last run {(link['last_run_id'] or '')[:8]}, version {link['remote_version']})"
        )
        console.print_json(json.dumps(link["raw"] or {}, ensure_ascii=False, default=str))
