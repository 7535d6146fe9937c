"""What every CLI command shares: settings built once and an engine made on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy import Engine

from hub.config_store import effective_settings
from hub.settings import Settings, SettingsError, load_settings
from hub.store import make_engine

console = Console()
err_console = Console(stderr=True)


@dataclass
class CliContext:
    """Lazily built resources; a command that needs no settings never loads them."""

    config_file: Path | None = None
    _settings: Settings | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        """Settings, or exit 2 with the one-line reason."""
        if self._settings is None:
            try:
                self._settings = load_settings(self.config_file)
                # connectors and pipelines stored from the web UI lie over hub.yaml's
                self._settings = effective_settings(self._settings, self.engine)
            except SettingsError as exc:
                err_console.print(f"[red]configuration error:[/] {exc}", highlight=False)
                raise typer.Exit(2) from None
        return self._settings

    @property
    def engine(self) -> Engine:
        """Engine for the configured store."""
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
        return self._engine


def get(ctx: typer.Context) -> CliContext:
    """The shared context of the running command."""
    obj = ctx.find_root().obj
    assert isinstance(obj, CliContext)
    return obj


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error line and return the Exit to raise."""
    err_console.print(f"[red]error:[/] {message}", highlight=False)
    return typer.Exit(code)
