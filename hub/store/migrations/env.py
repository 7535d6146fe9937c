"""Alembic environment: runs on the engine handed in by ``hub.store.migrate``."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import hub.model
import hub.store.tables  # noqa: F401  (registers the bookkeeping tables)

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    from sqlalchemy import create_engine

    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///var/synchub.db")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
