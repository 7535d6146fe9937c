"""``make soak``: the reliability suites longer, bigger and at random (never part of ``make test``).

The file name does not match ``test_*.py`` on purpose: ``make test`` never
collects it; ``make soak`` names it. Knobs (environment):

* ``SYNCHUB_SOAK_SEED``: the seed of everything random here (default: drawn and
  shown in every test id, so a failure can be replayed exactly);
* ``SYNCHUB_SOAK_ROUNDS``: rounds of the fault soak per connector (default 3);
* ``SYNCHUB_SOAK_COMPANIES``: size of the seeded business (default 30);
* ``SYNCHUB_SOAK_KILLS``: kills per pipeline and store in the crash soak (default 60).

Fault soak: each round arms three faults of the matrix at once, at random
request numbers across the first run, on a business three times the size of
``make test``'s. Crash soak: every pipeline, on SQLite and PostgreSQL, killed at
random crash points until the kill count is reached. Both compare with a
fault-free reference of the same size, as the fast suites do.
"""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reliability_crash import crash_and_compare
from reliability_faults import FAULTS, ordinals
from reliability_refs import References
from reliability_report import write_result
from reliability_scenarios import PIPELINES, SCENARIOS, Deployment, SqliteTemplate, deploy
from reliability_snapshot import take_snapshot
from sqlalchemy import Engine

from hub.sync import dlq

SEED = int(os.environ.get("SYNCHUB_SOAK_SEED") or secrets.randbelow(1_000_000))
ROUNDS = int(os.environ.get("SYNCHUB_SOAK_ROUNDS", "3"))
COMPANIES = int(os.environ.get("SYNCHUB_SOAK_COMPANIES", "30"))
KILLS = int(os.environ.get("SYNCHUB_SOAK_KILLS", "60"))
FAULTS_AT_ONCE = 3


@pytest.fixture(scope="module")
def soak_references(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: SqliteTemplate
) -> References:
    """Fault-free references on the soak's bigger business."""
    return References(tmp_path_factory.mktemp("soak-references"), sqlite_template, COMPANIES)


@pytest.mark.parametrize("round_", [f"seed{SEED}-round{n}" for n in range(ROUNDS)])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_soak_faults_at_random(
    scenario: str,
    round_: str,
    soak_references: References,
    sqlite_template: SqliteTemplate,
    deployed: list[Deployment],
    tmp_path: Path,
) -> None:
    rng = random.Random(f"{scenario}-{round_}")
    spec = SCENARIOS[scenario]
    reference = soak_references.get(scenario)
    chosen = rng.sample(sorted(FAULTS), FAULTS_AT_ONCE)
    http: dict[str, Any] = {}
    for name in chosen:
        http.update(FAULTS[name].http or {})
    deployment = deploy(spec, tmp_path, sqlite_template, http=http or None, companies=COMPANIES)
    deployed.append(deployment)
    for name in chosen:
        FAULTS[name].arm(deployment.tap, spec, ordinals(rng))

    runs = deployment.run_until_quiet(limit=30)  # random storms keep failing runs for a while
    deployment.quiesce()
    deployment.disarm()
    caused = len(dlq.list_letters(deployment.engine, limit=10_000)) - sum(
        reference.letters_before_retry.values()
    )
    deployment.retry_letters()  # the retry job's turn (the reference had one too)
    runs += deployment.run_until_quiet()
    snapshot = take_snapshot(deployment)
    problems = snapshot.differences(reference.snapshot)
    assert problems == [], f"faults {chosen}:\n" + "\n".join(problems[:20])
    assert snapshot.unaccounted == []
    assert snapshot.silent_letters == []
    write_result(
        "soak",
        f"faults--{scenario}--{round_}",
        {"faults": chosen, "runs": [r.status for r in runs], "letters_retried": max(0, caused)},
    )


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
@pytest.mark.parametrize("pipeline", list(PIPELINES))
def test_soak_crash_at_random(
    pipeline: str,
    store: str,
    soak_references: References,
    sqlite_template: SqliteTemplate,
    request: pytest.FixtureRequest,
    deployed: list[Deployment],
    tmp_path: Path,
) -> None:
    factory: Callable[[Path], tuple[str, Engine]] = (
        sqlite_template if store == "sqlite" else request.getfixturevalue("pg_store")
    )
    deployment = deploy(PIPELINES[pipeline], tmp_path, factory, companies=COMPANIES)
    deployed.append(deployment)
    seed = random.Random(f"{SEED}-{pipeline}-{store}").randrange(1_000_000)
    log, failures = crash_and_compare(deployment, soak_references, seed, kills=KILLS)
    write_result(
        "soak",
        f"crash--{pipeline}--{store}--seed{SEED}",
        {"seed": seed, "failures": failures[:20], **log.as_dict()},
    )
    assert failures == [], f"kill seed {seed}:\n" + "\n".join(failures[:20])
