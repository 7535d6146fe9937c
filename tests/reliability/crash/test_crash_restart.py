"""SIGKILL at seeded points across read, map, write and checkpoint, restart, and compare.

Each pipeline's first sync is interrupted at least twenty times by a kill at a
seeded crash point (``hub.sync.crashpoints``), each restart a fresh process, and
then left to finish; the stores must equal the fault-free run (no duplicate at
any vendor, nothing lost, nothing applied twice) on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_crash import MIN_KILLS, STAGES, KillLog, KillPlan, crash_until
from reliability_refs import References
from reliability_report import write_result
from reliability_scenarios import SCENARIOS, Deployment, SqliteTemplate, deploy
from reliability_snapshot import take_snapshot
from sqlalchemy import Engine

from hub.store import make_engine, upgrade

pytestmark = pytest.mark.slow

PG_URL = os.environ.get("SYNCHUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PIPELINES = {
    "crm-erp": "zoho-crm",
    "crm-jira": "jira",
    "crm-zentao": "zentao",
    "crm-bip": "yonyou-bip",
    "crm-u8": "yonyou-u8",
}
SEEDS = {"crm-erp": 1201, "crm-jira": 1202, "crm-zentao": 1203, "crm-bip": 1204, "crm-u8": 1205}


@pytest.fixture
def pg_store(pg_schema: str) -> Callable[[Path], tuple[str, Engine]]:
    """A store factory for ``deploy``: the test's private, upgraded PostgreSQL schema."""

    def make(folder: Path) -> tuple[str, Engine]:
        url = f"{PG_URL}?options=-csearch_path%3D{pg_schema}"
        engine = make_engine(url)
        upgrade(engine)
        return url, engine

    return make


def crash_and_compare(
    deployment: Deployment, references: References, pipeline: str, store: str
) -> KillLog:
    reference = references.get(deployment.scenario.name)
    plan = KillPlan(SEEDS[pipeline] + (7 if store == "postgres" else 0), reference.stage_counts)
    log = crash_until(deployment.config_file, plan)
    assert sum(log.kills.values()) >= MIN_KILLS, log.as_dict()
    assert set(log.kills) == set(STAGES), log.as_dict()
    deployment.run_until_quiet()
    snapshot = take_snapshot(deployment)
    problems = snapshot.differences(reference.snapshot)
    assert problems == [], "\n".join(problems[:20])
    assert snapshot.unaccounted == []
    assert snapshot.silent_letters == []
    write_result(
        "crash",
        f"{pipeline}--{store}",
        {
            "pipeline": pipeline,
            "store": "SQLite" if store == "sqlite" else "PostgreSQL",
            "runner": "forked process",
            "equal": True,
            **log.as_dict(),
        },
    )
    return log


@pytest.mark.parametrize("pipeline", list(PIPELINES))
def test_sigkill_at_seeded_points_then_restart_ends_equal_on_sqlite(
    pipeline: str,
    references: References,
    sqlite_template: SqliteTemplate,
    deployed: list[Deployment],
    tmp_path: Path,
) -> None:
    deployment = deploy(SCENARIOS[PIPELINES[pipeline]], tmp_path, sqlite_template)
    deployed.append(deployment)
    crash_and_compare(deployment, references, pipeline, "sqlite")


@pytest.mark.postgres
def test_sigkill_at_seeded_points_then_restart_ends_equal_on_postgres(
    pg_store: Callable[[Path], tuple[str, Engine]],
    references: References,
    deployed: list[Deployment],
    tmp_path: Path,
) -> None:
    deployment = deploy(SCENARIOS["zoho-crm"], tmp_path, pg_store)
    deployed.append(deployment)
    crash_and_compare(deployment, references, "crm-erp", "postgres")
