"""The ``synchub`` command line: one entry point, a sub-command per area."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from connectors.sdk import registry
from hub import __version__
from hub.cli import connectors as connectors_cli
from hub.cli import db as db_cli
from hub.cli import jobs as jobs_cli
from hub.cli import mappings as mappings_cli
from hub.cli import queues as queues_cli
from hub.cli import records as records_cli
from hub.cli import secrets as secrets_cli
from hub.cli import sync as sync_cli
from hub.cli import users as users_cli
from hub.cli.context import CliContext, console, get
from hub.cli.demo import demo_cmd
from hub.cli.reconcile import reconcile_cmd
from hub.cli.sandbox import sandbox_cmd
from hub.cli.serve import serve_cmd
from hub.logsetup import configure_logging

app = typer.Typer(
    name="synchub",
    help="SyncHub keeps customers, contracts, invoices and payments consistent between "
    "your CRM, finance system and project tool.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_cli.app, name="db")
app.add_typer(connectors_cli.app, name="connectors")
app.add_typer(mappings_cli.app, name="mappings")
app.add_typer(sync_cli.pipelines_app, name="pipelines")
app.add_typer(sync_cli.sync_app, name="sync")
app.add_typer(queues_cli.dlq_app, name="dlq")
app.add_typer(queues_cli.conflicts_app, name="conflicts")
app.add_typer(records_cli.runs_app, name="runs")
app.add_typer(records_cli.records_app, name="records")
app.command("sandbox")(sandbox_cmd)
app.add_typer(users_cli.app, name="users")
app.add_typer(secrets_cli.app, name="secrets")
app.command("serve")(serve_cmd)
app.add_typer(jobs_cli.jobs_app, name="jobs")
app.command("scheduler")(jobs_cli.scheduler_cmd)
app.command("worker")(jobs_cli.worker_cmd)
app.command("demo")(demo_cmd)
app.command("reconcile")(reconcile_cmd)


def _version(value: bool) -> None:
    if value:
        console.print(f"synchub {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Path | None = typer.Option(
        None, "--config", "-c", help="Settings YAML (default: $SYNCHUB_CONFIG or config/hub.yaml)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Global options; settings are read only by commands that need them."""
    ctx.obj = CliContext(config_file=config)
    configure_logging()


@app.command("settings")
def settings_cmd(ctx: typer.Context) -> None:
    """Show the effective settings, secrets masked."""
    settings = get(ctx).settings
    table = Table("key", "value", title="Effective settings")
    for key, value in settings.model_dump(mode="json").items():
        shown = value
        if key == "connectors":
            shown = {name: {"type": inst["type"], "config": "..."} for name, inst in value.items()}
        table.add_row(key, str(shown))
    console.print(table)


@app.command("demo-info")
def demo_info(ctx: typer.Context) -> None:
    """Print version, effective settings (secrets masked) and installed connectors."""
    console.print(f"[bold]SyncHub {__version__}[/]")
    settings_cmd(ctx)
    console.print(f"installed connectors: {', '.join(registry.names()) or 'none yet'}")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
