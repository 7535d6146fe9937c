"""``synchub mappings``: validate mapping files and preview what they do to a record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from connectors.sdk import registry
from hub.cli.context import console, fail, get
from hub.mapping import MappingError, MappingFileError, MappingSpec, load_file, mapping_files
from hub.model import CanonicalValidationError, validate

app = typer.Typer(
    help="Check mapping files and preview them on sample records.", no_args_is_help=True
)


@app.command("validate")
def validate_cmd(
    ctx: typer.Context,
    path: Path | None = typer.Argument(
        None, help="A mapping file or folder; default: the mappings folder."
    ),
) -> None:
    """Check every mapping file: YAML, keys, canonical fields, expressions. Exit 1 on any error."""
    root = path or get(ctx).settings.mappings_dir
    files = mapping_files(root) if root.exists() else []
    if not files:
        raise fail(f"no mapping files found at {root}")
    known = registry.names()
    bad = 0
    for file in files:
        try:
            load_file(file, connectors=known or None)
        except MappingFileError as exc:
            bad += 1
            console.print(f"[red]✗[/] {exc}", highlight=False)
        else:
            console.print(f"[green]✓[/] {file}", highlight=False)
    console.print(f"{len(files) - bad} valid, {bad} invalid")
    if bad:
        raise typer.Exit(1)


@app.command("preview")
def preview_cmd(
    file: Path = typer.Argument(..., help="The mapping file."),
    sample: Path = typer.Option(
        ..., "--sample", help="JSON file with one record (or a list of records)."
    ),
    direction: str = typer.Option(
        "in", help="'in': the sample is a remote record; 'out': a canonical one."
    ),
) -> None:
    """Show a record before and after mapping, both directions (remote -> canonical -> remote)."""
    try:
        mapping = load_file(file)
    except MappingFileError as exc:
        raise fail(str(exc)) from None
    data = json.loads(sample.read_text(encoding="utf-8"))
    records = data if isinstance(data, list) else [data]
    for record in records:
        try:
            if direction == "in":
                mapped = mapping.apply_in(
                    record, resolve=lambda entity, rid, key: f"<{entity} {rid}>"
                )
                canonical, extra = mapped.values, mapped.extra
                _show(record, canonical, "remote", "canonical")
                _check(mapping.spec.entity, canonical)
                _show(
                    canonical,
                    mapping.apply_out(canonical, extra, lambda e, h, k: h),
                    "canonical",
                    "remote",
                )
            else:
                remote = mapping.apply_out(
                    record, record.get("extra"), lambda e, h, k: f"<{e} {h}>"
                )
                _show(record, remote, "canonical", "remote")
        except MappingError as exc:
            raise fail(str(exc)) from None


def _show(before: dict[str, Any], after: dict[str, Any], left: str, right: str) -> None:
    table = Table("field", left, "", "field", right, title=f"{left} -> {right}")
    before_items, after_items = list(_flat(before)), list(_flat(after))
    for i in range(max(len(before_items), len(after_items))):
        b = before_items[i] if i < len(before_items) else ("", "")
        a = after_items[i] if i < len(after_items) else ("", "")
        table.add_row(b[0], _fmt(b[1]), "->" if i == 0 else "", a[0], _fmt(a[1]))
    console.print(table)


def _flat(record: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in record.items():
        if isinstance(value, dict) and value:
            items.extend(_flat(value, f"{prefix}{key}."))
        else:
            items.append((f"{prefix}{key}", value))
    return items


def _fmt(value: Any) -> str:
    return "" if value == "" else repr(value)


def _check(entity: str, values: dict[str, Any]) -> None:
    try:
        validate(
            entity,
            {k: v for k, v in values.items() if not (isinstance(v, str) and v.startswith("<"))},
        )
    except CanonicalValidationError as exc:
        console.print(f"[yellow]would be dead-lettered:[/] {exc}", highlight=False)
    else:
        console.print("[green]valid canonical record[/]")


@app.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of mapping files (for editor completion and validation)."""
    console.print_json(json.dumps(MappingSpec.model_json_schema()))
