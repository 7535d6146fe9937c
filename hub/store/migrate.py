"""Applying Alembic migrations programmatically (``synchub db upgrade`` and tests).

Areas of the hub (store, web, finance...) may each add a branch of migrations off
the same base, so upgrades go to *all* heads; ``current_revision`` reports every
applied head, sorted and comma-separated.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    """An Alembic config that runs on ``engine`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the store at ``engine`` up to ``revision`` (every head by default)."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The applied head revision(s), comma-separated; ``None`` for an empty database."""
    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(sorted(heads)) if heads else None


def head_revision(engine: Engine) -> str:
    """The head revision(s) of the migration scripts, in ``current_revision``'s form."""
    return ",".join(sorted(ScriptDirectory.from_config(alembic_config(engine)).get_heads()))
