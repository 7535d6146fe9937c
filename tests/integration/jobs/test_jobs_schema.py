"""The hub's migration creates the jobs tables exactly as ``jobs.schema`` declares them."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from hub.store import upgrade
from jobs.scheduler import build_scheduler, stop_scheduler
from jobs.schema import TABLES, ensure_schema


def test_migrated_tables_match_the_jobs_schema(any_engine: Engine) -> None:
    upgrade(any_engine)
    inspector = inspect(any_engine)
    for table in TABLES:
        migrated = {c["name"]: c["nullable"] for c in inspector.get_columns(table.name)}
        declared = {c.name: c.nullable for c in table.columns}
        assert migrated == declared, table.name
        assert {tuple(i["column_names"]) for i in inspector.get_indexes(table.name)} >= {
            tuple(c.name for c in index.columns) for index in table.indexes
        }, table.name
    assert {"api_budget", "webhook_delivery"} <= set(inspector.get_table_names())
    ensure_schema(any_engine)  # nothing left to create
    scheduler = build_scheduler(any_engine)
    scheduler.start(paused=True)  # APScheduler accepts the migrated job store table
    stop_scheduler(scheduler)
