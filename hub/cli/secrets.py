"""``synchub secrets``: the key that encrypts stored connector secrets."""

from __future__ import annotations

import typer

from hub.cli.context import CliContext, console, fail, get
from hub.config_store import SecretBox, SecretKeyError, generate_key, rotate_secrets
from hub.settings import SettingsError, load_settings
from hub.store import make_engine, upgrade

app = typer.Typer(help="Encryption of stored connector secrets.", no_args_is_help=True)


@app.command("keygen")
def keygen_cmd() -> None:
    """Print a new key for SYNCHUB_SECRET_KEY (put it first, comma-separated, to rotate)."""
    console.print(generate_key(), highlight=False)


@app.command("rotate")
def rotate_cmd(ctx: typer.Context) -> None:
    """Re-encrypt every stored secret with the first key of SYNCHUB_SECRET_KEY.

    Set SYNCHUB_SECRET_KEY="NEW,OLD" first; afterwards OLD can be dropped.
    """
    cli: CliContext = get(ctx)
    try:
        settings = load_settings(cli.config_file)
    except SettingsError as exc:
        raise fail(str(exc), 2) from None
    try:
        box = SecretBox.from_secret(settings.secret_key)
    except SecretKeyError as exc:
        raise fail(str(exc)) from None
    if box is None:
        raise fail("SYNCHUB_SECRET_KEY is not set; nothing can be rotated")
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        count = rotate_secrets(engine, box, actor="cli")
    except SecretKeyError as exc:
        raise fail(str(exc)) from None
    console.print(f"re-encrypted the secrets of {count} connector instance(s) with the first key")
