"""``synchub db``: the store's schema."""

from __future__ import annotations

import typer

from hub.cli.context import console, get
from hub.store import current_revision, upgrade

app = typer.Typer(help="Create or upgrade the hub database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(
    ctx: typer.Context,
    revision: str = typer.Argument("heads", help="Target revision (default: every head)."),
) -> None:
    """Apply migrations to the configured database (SQLite file or PostgreSQL)."""
    engine = get(ctx).engine
    before = current_revision(engine)
    upgrade(engine, revision)
    after = current_revision(engine)
    url = engine.url.render_as_string(hide_password=True)
    console.print(f"database {url}: {before or 'empty'} -> {after}")


@app.command("current")
def current_cmd(ctx: typer.Context) -> None:
    """Show the schema revision of the configured database."""
    console.print(current_revision(get(ctx).engine) or "empty (run `synchub db upgrade`)")
