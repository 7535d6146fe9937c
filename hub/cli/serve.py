"""``synchub serve``: the web console and API with the in-process scheduler."""

from __future__ import annotations

import typer

from hub.cli.context import CliContext, fail, get
from hub.settings import SettingsError, load_settings
from hub.store import make_engine


def serve_cmd(
    ctx: typer.Context,
    host: str | None = typer.Option(None, help="Interface (default: web.host)."),
    port: int | None = typer.Option(None, help="Port (default: web.port)."),
    no_scheduler: bool = typer.Option(
        False, "--no-scheduler", help="Serve only; run nothing on schedule."
    ),
) -> None:
    """Serve the console and API; pipelines run on their schedules in this process."""
    from hub.web.serve import serve_forever

    cli: CliContext = get(ctx)
    try:
        settings = load_settings(cli.config_file)
    except SettingsError as exc:
        raise fail(str(exc), 2) from None
    serve_forever(
        settings,
        make_engine(settings.database_url),
        host=host,
        port=port,
        scheduler=not no_scheduler,
    )
