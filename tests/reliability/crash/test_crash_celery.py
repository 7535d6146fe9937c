"""A Celery worker dies at seeded crash points mid-run; a healthy worker takes the pipeline over.

Scale-out as operations run it: PostgreSQL (a private schema), Redis (a private
database number, key prefix and queue), ``synchub worker`` processes. Each doomed
worker is started with ``SYNCHUB_CRASH_AT`` naming one point, a run is sent to the
queue, the worker picks it up and dies whole at that point (SIGKILL: no lease
release, no run closed). Its lease lapses; the next worker's run takes it over,
closes the dead run as abandoned and resumes from the stored cursors. In the end
the stores equal the fault-free run and no run is left open.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from polling import log_tail, wait_for
from reliability_crash import KillPlan
from reliability_refs import References
from reliability_report import write_result
from reliability_scenarios import PIPELINE, PIPELINES, Deployment, deploy
from reliability_snapshot import take_snapshot
from sqlalchemy import Engine, select

from hub.scheduling.names import lease_name
from hub.scheduling.service import celery_app
from hub.settings import load_settings
from hub.store import Run
from hub.sync import crashpoints
from jobs.celery_app import CeleryDispatcher
from jobs.leases import LeaseManager

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

REDIS = "redis://127.0.0.1:6379/12"  # this suite's own database number on the shared Redis
SYNCHUB = str(Path(sys.executable).with_name("synchub"))
TARGET = "hub.scheduling.tasks:run_pipeline_job"
KILLS = 3
RUN = Run.__table__  # type: ignore[attr-defined]


@pytest.fixture
def prefix() -> Iterator[str]:
    """A private key prefix and queue on the shared Redis, emptied afterwards."""
    import redis

    value = f"rel{uuid.uuid4().hex[:8]}:"
    yield value
    client = redis.Redis.from_url(REDIS)
    with contextlib.closing(client):
        keys = list(client.scan_iter(match=f"{value}*", count=500))
        if keys:
            client.delete(*keys)


def scale_out(deployment: Deployment, prefix: str) -> None:
    """Turn the deployment's hub.yaml into a scale-out one (broker, short leases)."""
    config: dict[str, Any] = yaml.safe_load(deployment.config_file.read_text(encoding="utf-8"))
    config["broker_url"] = REDIS
    config["scheduling"] = {
        "lease_seconds": 2,
        "poll_seconds": 0.25,
        "broker_queue": f"{prefix}runs",
        "broker_key_prefix": prefix,
        "worker_concurrency": 1,
    }
    deployment.config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    deployment.settings = load_settings(deployment.config_file)


def worker(deployment: Deployment, log: Path, crash_at: str | None) -> subprocess.Popen[bytes]:
    """``synchub worker`` as an operator starts it, armed to die at ``crash_at``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCHUB_")}
    env["SYNCHUB_CONFIG"] = str(deployment.config_file)
    if crash_at:
        env[crashpoints.ENV] = crash_at
    with log.open("wb") as handle:
        return subprocess.Popen(
            [SYNCHUB, "worker"], env=env, stdout=handle, stderr=subprocess.STDOUT
        )


def runs(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(RUN).order_by(RUN.c.started_at)).mappings()]


def test_workers_killed_mid_run_under_celery_are_taken_over_and_nothing_is_lost(
    pg_store: Callable[[Path], tuple[str, Engine]],
    prefix: str,
    references: References,
    deployed: list[Deployment],
    tmp_path: Path,
) -> None:
    deployment = deploy(PIPELINES["crm-erp"], tmp_path, pg_store)
    deployed.append(deployment)
    scale_out(deployment, prefix)
    reference = references.get("zoho-crm")
    plan = KillPlan(1299, reference.stage_counts)
    points = [plan.next() for _ in range(KILLS)]
    dispatcher = CeleryDispatcher(celery_app(deployment.settings))
    leases = LeaseManager(deployment.engine)
    kills: Counter[str] = Counter()
    for n, spec in enumerate(points):
        log = tmp_path / f"worker-{n}.log"
        doomed = worker(deployment, log, spec)
        try:
            dispatcher.dispatch(TARGET, {"pipeline": PIPELINE, "trigger": "schedule"})
            code = doomed.wait(timeout=120)
        finally:
            if doomed.poll() is None:
                doomed.kill()
                doomed.wait()
        assert code == -signal.SIGKILL, (spec, log.read_text(errors="replace")[-3000:])
        kills[spec.split(":")[0]] += 1
        wait_for(
            lambda: leases.holder(lease_name(PIPELINE)) is None,
            30,
            "the lease to lapse",
            log_tail(log),
        )

    log = tmp_path / "worker-healthy.log"
    healthy = worker(deployment, log, None)
    try:
        sent = datetime.now(UTC)
        dispatcher.dispatch(TARGET, {"pipeline": PIPELINE, "trigger": "schedule"})
        wait_for(
            lambda: any(
                r["started_at"] >= sent and r["status"] in ("succeeded", "partial")
                for r in runs(deployment.engine)
            ),
            120,
            "the healthy worker's run",
            log_tail(log),
        )
    finally:
        healthy.send_signal(signal.SIGTERM)
        healthy.wait(timeout=60)

    history = runs(deployment.engine)
    failures = [f"run left open: {r['id']}" for r in history if r["status"] == "running"]
    abandoned = [r for r in history if "abandoned" in (r["error"] or "")]
    if len(abandoned) != KILLS:
        failures.append(f"{len(abandoned)} runs closed as abandoned, not {KILLS}: {history}")
    deployment.run_until_quiet()
    deployment.retry_letters()  # the retry job's turn, as the reference had
    deployment.run_until_quiet()
    snapshot = take_snapshot(deployment)
    failures += snapshot.differences(reference.snapshot)
    failures += [f"not synced, not dead-lettered: {u}" for u in snapshot.unaccounted]
    failures += [f"dead letter without a reason: {x}" for x in snapshot.silent_letters]
    write_result(
        "crash",
        "crm-erp--celery",
        {
            "pipeline": "crm-erp",
            "store": "PostgreSQL",
            "runner": "Celery worker (Redis)",
            "equal": not failures,
            "attempts": [f"{p}->-9" for p in points],
            "kills": dict(kills),
            "abandoned_runs_closed": len(abandoned),
            "failures": failures[:20],
        },
    )
    assert failures == [], "\n".join(failures[:20])
