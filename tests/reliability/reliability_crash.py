"""Killing the sync with SIGKILL at seeded points and starting it again.

A kill plan is drawn from a seeded generator: stages in turn (read, map, write,
checkpoint, shuffled per round) and for each an occurrence among the first few
points of that stage the restarted process will pass, so every restart makes a
little progress and then dies. Each attempt is a fresh process forked from a
``forkserver`` that has the hub imported already (a restart costs milliseconds,
not an interpreter start), armed through ``hub.sync.crashpoints``; the parent
only sees the exit status, -SIGKILL or 0.

Celery: the same points armed through ``SYNCHUB_CRASH_AT`` in a ``synchub worker``
process that picks up the run; the worker dies whole, its lease lapses, and a
healthy worker takes the pipeline over.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import signal
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from reliability_refs import References
from reliability_scenarios import PIPELINE, Deployment, wiring
from reliability_snapshot import take_snapshot

from hub.settings import load_settings
from hub.store import make_engine
from hub.sync import crashpoints
from hub.sync.runner import run_pipeline

STAGES = crashpoints.STAGES
MIN_KILLS = 20
CRASH_SUITE: tuple[str, ...] = ("crm-erp--sqlite", "crm-erp--postgres", "crm-erp--celery")
"""Crash results a complete ``make test`` session writes (pipeline--store or runner); the
other pipelines are killed in ``make soak``."""

PRELOAD = [
    "hub.sync.runner",
    "hub.store",
    "hub.settings",
    "connectors.zoho_crm",
    "connectors.kingdee",
    "connectors.jira",
    "connectors.zentao",
    "connectors.yonyou_bip",
    "connectors.yonyou_u8",
    "reliability_crash",
]


@dataclass
class KillLog:
    """What a crash sequence did: the points armed, which killed, which runs completed."""

    attempts: list[tuple[str, int]] = field(default_factory=list)
    kills: Counter[str] = field(default_factory=Counter)
    completed: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "attempts": [f"{spec}->{code}" for spec, code in self.attempts],
            "kills": dict(self.kills),
            "completed_runs": self.completed,
        }


class KillPlan:
    """Seeded kill points (see module docstring)."""

    def __init__(self, seed: int, counts: dict[str, int], spread: int = 3) -> None:
        self.rng = random.Random(seed)
        self.counts = counts
        self.spread = spread
        self._round: list[str] = []

    def next(self) -> str:
        """The next point, ``stage:occurrence``."""
        if not self._round:
            self._round = [s for s in STAGES if self.counts.get(s)]
            self.rng.shuffle(self._round)
        stage = self._round.pop()
        limit = max(1, min(self.spread, self.counts[stage]))
        return f"{stage}:{self.rng.randint(1, limit)}"


def child(config_file: str, spec: str) -> None:
    """One attempt: the pipeline run by a fresh process armed to die at ``spec``."""
    crashpoints.arm(spec)
    settings = load_settings(Path(config_file))
    engine = make_engine(settings.database_url)
    try:
        with wiring(None):
            asyncio.run(run_pipeline(settings, engine, PIPELINE, trigger="crash-suite"))
    finally:
        engine.dispose()


_CONTEXT: multiprocessing.context.ForkServerContext | None = None


def forkserver() -> multiprocessing.context.ForkServerContext:
    """The forkserver context, its server preloaded with the hub and every connector."""
    global _CONTEXT
    if _CONTEXT is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        _CONTEXT = context
    return _CONTEXT


def crash_until(
    config_file: Path, plan: KillPlan, kills: int = MIN_KILLS, attempts: int = 80
) -> KillLog:
    """Restart the pipeline at plan points until ``kills`` attempts died (or ``attempts`` ran)."""
    log = KillLog()
    context = forkserver()
    for _ in range(attempts):
        if sum(log.kills.values()) >= kills:
            break
        spec = plan.next()
        process = context.Process(target=child, args=(str(config_file), spec))
        process.start()
        process.join(timeout=120)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise AssertionError(f"attempt {spec} hung")
        code = process.exitcode
        log.attempts.append((spec, code))
        if code == -signal.SIGKILL:
            log.kills[spec.split(":")[0]] += 1
        elif code == 0:
            log.completed += 1
        else:
            raise AssertionError(f"attempt {spec} exited with {code}")
    return log


def crash_and_compare(
    deployment: Deployment, references: References, seed: int, kills: int = MIN_KILLS
) -> tuple[KillLog, list[str]]:
    """Kill the deployment's pipeline ``kills`` times at seeded points, let it finish, and
    compare the stores with the fault-free reference; returns the kills and what differs."""
    reference = references.get(deployment.scenario.name)
    plan = KillPlan(seed, reference.stage_counts)
    log = crash_until(deployment.config_file, plan, kills=kills, attempts=4 * kills)
    failures: list[str] = []
    if sum(log.kills.values()) < kills or set(log.kills) != set(STAGES):
        failures.append(f"fewer kills than planned, or a stage never killed: {log.as_dict()}")
    deployment.run_until_quiet()
    deployment.retry_letters()  # the retry job's turn, as the reference had
    deployment.run_until_quiet()
    snapshot = take_snapshot(deployment)
    failures += snapshot.differences(reference.snapshot)
    failures += [f"not synced, not dead-lettered: {u}" for u in snapshot.unaccounted]
    failures += [f"dead letter without a reason: {x}" for x in snapshot.silent_letters]
    return log, failures
