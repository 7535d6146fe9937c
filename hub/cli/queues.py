"""``synchub dlq`` and ``synchub conflicts``: the two queues a person works through."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import typer
from rich.table import Table

from hub.cli.context import console, fail, get
from hub.store import upgrade
from hub.sync import conflicts as conflict_ops
from hub.sync import dlq as dlq_ops

dlq_app = typer.Typer(
    help="Dead-letter queue: records that failed mapping, validation or a write.",
    no_args_is_help=True,
)
conflicts_app = typer.Typer(
    help="Conflicts held for a person: edits on both sides, ambiguous matches.",
    no_args_is_help=True,
)
ACTOR = "cli"


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dlq_app.command("list")
def dlq_list(
    ctx: typer.Context, status: str = typer.Option("open", help="open, discarded")
) -> None:
    """Dead letters, newest first."""
    engine = get(ctx).engine
    upgrade(engine)
    letters = dlq_ops.list_letters(engine, status=status)
    table = Table(
        "id", "where", "stage", "record", "attempts", "error", title=f"Dead letters ({status})"
    )
    for letter in letters:
        record = letter["remote_id"] or letter["hub_id"] or ""
        table.add_row(
            str(letter["id"]),
            f"{letter['connector']}.{letter['stream']} {letter['direction']}",
            letter["stage"],
            record,
            str(letter["attempts"]),
            _short(letter["error"], 90),
        )
    console.print(table if letters else f"no {status} dead letters")


@dlq_app.command("show")
def dlq_show(
    ctx: typer.Context, letter_id: int = typer.Argument(..., help="Dead-letter id.")
) -> None:
    """One dead letter with its error and payload."""
    letter = dlq_ops.get_letter(get(ctx).engine, letter_id)
    if letter is None:
        raise fail(f"no dead letter {letter_id}")
    for key in (
        "id",
        "status",
        "pipeline",
        "connector",
        "stream",
        "direction",
        "stage",
        "remote_id",
        "hub_id",
        "field",
        "attempts",
        "first_seen",
        "last_attempt",
        "error",
    ):
        console.print(f"[bold]{key}:[/] {letter[key]}", highlight=False)
    console.print("[bold]payload:[/]")
    console.print_json(json.dumps(letter["payload"], ensure_ascii=False, default=str))


@dlq_app.command("retry")
def dlq_retry(
    ctx: typer.Context,
    letter_ids: list[int] = typer.Argument(None, help="Dead-letter ids; none with --all."),
    retry_all: bool = typer.Option(False, "--all", help="Retry every open dead letter."),
) -> None:
    """Retry dead letters: re-read from the source, replay the payload, or push again."""
    cli = get(ctx)
    ids = (
        [letter["id"] for letter in dlq_ops.list_letters(cli.engine, limit=10_000)]
        if retry_all
        else (letter_ids or [])
    )
    if not ids:
        raise fail("name dead-letter ids or use --all")
    report = asyncio.run(dlq_ops.retry(cli.settings, cli.engine, ids, actor=ACTOR))
    for letter_id in report.resolved:
        console.print(f"[green]✓[/] {letter_id} went through")
    for letter_id, error in report.failing.items():
        console.print(f"[red]✗[/] {letter_id} still failing: {error}", highlight=False)
    if report.failing:
        raise typer.Exit(1)


@dlq_app.command("discard")
def dlq_discard(
    ctx: typer.Context, letter_id: int = typer.Argument(..., help="Dead-letter id.")
) -> None:
    """Give up on a dead letter (kept as discarded, audited)."""
    if not dlq_ops.discard(get(ctx).engine, letter_id, actor=ACTOR):
        raise fail(f"no open dead letter {letter_id}")
    console.print(f"discarded {letter_id}")


@conflicts_app.command("list")
def conflicts_list(
    ctx: typer.Context, status: str = typer.Option("open", help="open, resolved")
) -> None:
    """Conflicts with the competing values side by side."""
    engine = get(ctx).engine
    upgrade(engine)
    items = conflict_ops.list_conflicts(engine, status=status)
    table = Table("id", "kind", "record", "field", "values", title=f"Conflicts ({status})")
    for item in items:
        record = f"{item['entity']} {item['hub_id'] or item['remote_id']}"
        if item["kind"] == "field":
            values = "\n".join(f"{side}: {_short(v)}" for side, v in item["values"].items())
        else:
            values = f"{item['connector']} record {item['remote_id']} matches {', '.join(item['values']['candidates'])}"
        table.add_row(str(item["id"]), item["kind"], record, item["field"] or "", values)
    console.print(table if items else f"no {status} conflicts")


@conflicts_app.command("resolve")
def conflicts_resolve(
    ctx: typer.Context,
    conflict_id: int = typer.Argument(..., help="Conflict id."),
    use: str | None = typer.Option(
        None,
        "--use",
        help="Field conflict: the side whose value wins (hub or a connector instance).",
    ),
    value: str | None = typer.Option(
        None, "--value", help="Field conflict: a JSON value to set instead."
    ),
    link: str | None = typer.Option(
        None, "--link", help="Match conflict: the hub id this record is."
    ),
    new: bool = typer.Option(False, "--new", help="Match conflict: the record is a new one."),
) -> None:
    """Settle a conflict; the next run carries the result to every system."""
    cli = get(ctx)
    conflict = conflict_ops.get_conflict(cli.engine, conflict_id)
    if conflict is None:
        raise fail(f"no conflict {conflict_id}")
    try:
        if conflict["kind"] == "field":
            if (use is None) == (value is None):
                raise fail("give exactly one of --use SIDE or --value JSON")
            chosen = conflict_ops.resolve_field(
                cli.engine,
                conflict_id,
                use=use,
                value=None if value is None else json.loads(value),
                actor=ACTOR,
            )
            console.print(f"conflict {conflict_id} resolved: {conflict['field']} = {chosen!r}")
        else:
            hub_id = asyncio.run(
                conflict_ops.resolve_match(
                    cli.settings, cli.engine, conflict_id, link_to=link, new=new, actor=ACTOR
                )
            )
            console.print(f"conflict {conflict_id} resolved: linked to {hub_id}")
    except (conflict_ops.ResolutionError, json.JSONDecodeError) as exc:
        raise fail(str(exc)) from None
