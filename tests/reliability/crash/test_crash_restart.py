"""SIGKILL at seeded points across read, map, write and checkpoint, restart, and compare.

The demo pipeline's first sync (Zoho CRM <-> Kingdee, eleven streams) is
interrupted at least twenty times by a kill at a seeded crash point
(``hub.sync.crashpoints``), each restart a fresh process, and then left to
finish; the stores must equal the fault-free run (no duplicate at any vendor,
nothing lost, nothing applied twice), on SQLite and on PostgreSQL. ``make soak``
does the same to every pipeline with more kills and a random seed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_crash import KillLog, crash_and_compare
from reliability_refs import References
from reliability_report import write_result
from reliability_scenarios import PIPELINES, Deployment, SqliteTemplate, deploy
from sqlalchemy import Engine

pytestmark = pytest.mark.slow

SEED = 1201


def record(outcome: tuple[KillLog, list[str]], store: str, seed: int) -> None:
    """Store the result (a failing one too, for the doc), then fail on a difference."""
    log, failures = outcome
    write_result(
        "crash",
        f"crm-erp--{store}",
        {
            "pipeline": "crm-erp",
            "store": "SQLite" if store == "sqlite" else "PostgreSQL",
            "runner": "forked process",
            "equal": not failures,
            "seed": seed,
            "failures": failures[:20],
            **log.as_dict(),
        },
    )
    assert failures == [], "\n".join(failures[:20])


def test_sigkill_at_seeded_points_then_restart_ends_equal_on_sqlite(
    references: References,
    sqlite_template: SqliteTemplate,
    deployed: list[Deployment],
    tmp_path: Path,
) -> None:
    deployment = deploy(PIPELINES["crm-erp"], tmp_path, sqlite_template)
    deployed.append(deployment)
    record(crash_and_compare(deployment, references, SEED), "sqlite", SEED)


@pytest.mark.postgres
def test_sigkill_at_seeded_points_then_restart_ends_equal_on_postgres(
    pg_store: Callable[[Path], tuple[str, Engine]],
    references: References,
    deployed: list[Deployment],
    tmp_path: Path,
) -> None:
    deployment = deploy(PIPELINES["crm-erp"], tmp_path, pg_store)
    deployed.append(deployment)
    record(crash_and_compare(deployment, references, SEED + 1), "postgres", SEED + 1)
