"""``synchub connectors``: what is installed and configured."""

from __future__ import annotations

import typer
from rich.table import Table

from connectors.sdk import registry
from hub.cli.context import console, get

app = typer.Typer(
    help="List installed connector types and configured instances.", no_args_is_help=True
)


@app.command("list")
def list_cmd(ctx: typer.Context) -> None:
    """Installed connector types (from the synchub.connectors entry points) and their streams."""
    table = Table("name", "title", "streams", "sandbox", title="Installed connectors")
    for name in registry.names():
        try:
            cls = registry.load(name)
        except Exception as exc:
            table.add_row(name, f"[red]failed to load: {exc}[/]", "", "")
            continue
        streams = ", ".join(f"{s.name}->{s.entity}" for s in cls.streams)
        table.add_row(name, cls.title, streams, "yes" if cls.sandbox else "no")
    console.print(table)
    instances = get(ctx).settings.connectors
    if instances:
        configured = Table("instance", "type", "enabled", title="Configured instances")
        for key, instance in instances.items():
            configured.add_row(key, instance.type, "yes" if instance.enabled else "no")
        console.print(configured)
