"""Scale-out on PostgreSQL + Redis: two schedulers, three workers, ten pipelines, two SIGKILLs.

The deployment is what docs/operations.md describes: ``synchub scheduler`` twice,
``synchub worker`` three times, one configuration file, PostgreSQL (a private
schema) and Redis (a private db number, key prefix and queue). Ten pipelines sync
ten Zoho CRM sandboxes both ways through one canonical store every two seconds.
Mid-run, the leading scheduler and a worker holding a pipeline lease are killed
outright. Then: every pipeline runs again, the follower leads, the killed run is
closed as abandoned, no pipeline ever had two runs open at once (from the ``run``
table), and no sandbox or the store holds a duplicate.
"""

from __future__ import annotations

import itertools
import signal
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from scale_out_support import (
    Deployment,
    all_runs,
    clean_env,
    pid_of,
    redis_cleanup,
    running_runs,
    wait_for,
)
from sqlalchemy import Engine, select

from connectors.sdk.sandbox import SandboxServer
from connectors.zoho_crm.sandbox import ZohoCrmSandbox
from hub.model import Customer
from hub.store import make_engine, upgrade
from jobs.leases import LeaseManager
from jobs.service import LEADER_LEASE

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_DB = 11  # this test's own database number on the shared Redis
PIPELINES = 10


@pytest.fixture
def sandboxes() -> Iterator[list[SandboxServer]]:
    """Ten CRMs, three companies each, answering a little slowly so runs overlap the kills."""
    servers = [
        SandboxServer(ZohoCrmSandbox(seed=500 + n, companies=3)).start() for n in range(PIPELINES)
    ]
    for server in servers:
        server.sandbox.faults.latency = 0.1
    yield servers
    for server in servers:
        server.stop()


def write_config(path: Path, pg_schema: str, servers: list[SandboxServer], prefix: str) -> None:
    config: dict[str, Any] = {
        "database_url": f"{PG}?options=-csearch_path%3D{pg_schema}",
        "broker_url": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "mappings_dir": str(ROOT / "mappings"),
        "log_level": "INFO",
        "scheduling": {
            "lease_seconds": 2,
            "poll_seconds": 0.25,
            "broker_queue": f"{prefix}runs",
            "broker_key_prefix": prefix,
            "worker_concurrency": 2,
            "threads": 2,
        },
        "connectors": {
            f"crm{n}": {"type": "zoho-crm", "config": server.connector_config()}
            for n, server in enumerate(servers)
        },
        "pipelines": {
            f"p{n}": {
                "streams": [{"connector": f"crm{n}", "stream": "accounts", "direction": "both"}],
                "schedule": {"interval_minutes": 2 / 60, "misfire_grace_seconds": 30},
            }
            for n in range(PIPELINES)
        },
    }
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def cycles_since(engine: Engine, since: datetime, cycles: int) -> set[str]:
    """Pipelines with at least ``cycles`` successful runs started since ``since``."""
    done = Counter(
        r["pipeline"]
        for r in all_runs(engine)
        if r["status"] == "succeeded" and r["started_at"] >= since
    )
    return {pipeline for pipeline, n in done.items() if n >= cycles}


@pytest.fixture
def store(pg_schema: str) -> Iterator[Engine]:
    """The private schema, upgraded as `synchub db upgrade` does once before processes start."""
    engine = make_engine(PG, schema=pg_schema)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_two_schedulers_three_workers_survive_losing_the_leader_and_a_worker(
    pg_schema: str, store: Engine, sandboxes: list[SandboxServer], tmp_path: Path
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}:"
    config = tmp_path / "hub.yaml"
    write_config(config, pg_schema, sandboxes, prefix)
    engine = store  # `synchub db upgrade`, once, before the processes start
    deployment = Deployment(clean_env(SYNCHUB_CONFIG=str(config)), tmp_path)
    names = {f"p{n}" for n in range(PIPELINES)}
    try:
        schedulers = [deployment.start("scheduler") for _ in range(2)]
        workers = [deployment.start("worker") for _ in range(3)]
        begin = datetime.now(UTC)
        wait_for(lambda: cycles_since(engine, begin, 2) >= names, 60, "two cycles", deployment)

        # Mid-run: the leader, and a worker that holds a pipeline lease right now.
        leader = LeaseManager(engine).holder(LEADER_LEASE)
        assert leader is not None
        worker_pids = {w.pid for w in workers}

        def busy_worker() -> tuple[str, int] | None:
            """A worker with a run open right now (its lease alone may precede the run row)."""
            for run in running_runs(engine):
                if run["holder"] and pid_of(run["holder"]) in worker_pids:
                    return run["pipeline"], pid_of(run["holder"])
            return None

        busy_pipeline, victim = wait_for(busy_worker, 20, "a worker in mid-run", deployment)
        killed_at = datetime.now(UTC)
        deployment.by_pid(pid_of(leader.owner)).popen.send_signal(signal.SIGKILL)
        deployment.by_pid(victim).popen.send_signal(signal.SIGKILL)

        wait_for(
            lambda: cycles_since(engine, killed_at, 2) >= names,
            60,
            "every pipeline to run twice after the kills",
            deployment,
        )
        new_leader = LeaseManager(engine).holder(LEADER_LEASE)
        assert new_leader is not None
        survivor = next(s for s in schedulers if s.pid != pid_of(leader.owner))
        assert pid_of(new_leader.owner) == survivor.pid
        assert "taking over from" in survivor.log.read_text()
    finally:
        deployment.stop()
        redis_cleanup(f"redis://127.0.0.1:6379/{REDIS_DB}", prefix)

    runs = all_runs(engine)
    by_pipeline: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        by_pipeline.setdefault(run["pipeline"], []).append(run)
    assert set(by_pipeline) == names
    for pipeline, rows in by_pipeline.items():
        open_runs = [r["id"] for r in rows if r["finished_at"] is None]
        assert open_runs == [], f"{pipeline}: runs left open {open_runs}"
        for before, after in itertools.pairwise(rows):
            assert before["finished_at"] <= after["started_at"], f"{pipeline} overlapped"
    abandoned = [r for r in by_pipeline[busy_pipeline] if "abandoned" in (r["error"] or "")]
    victims = [
        (r["status"], r["started_at"], r["finished_at"], r["error"])
        for r in by_pipeline[busy_pipeline]
        if str(victim) in (r["holder"] or "")
    ]
    assert abandoned, f"{busy_pipeline} killed at {killed_at}: {victims}"
    assert all(str(victim) in r["holder"] for r in abandoned)

    # no duplicates anywhere: per sandbox by hub id and by name, in the store by tax id
    for server in sandboxes:
        sandbox = server.sandbox
        records = [sandbox.get_record("accounts", i) or {} for i in sandbox.remote_ids("accounts")]
        hub_ids = Counter(r.get("SyncHub_ID") for r in records if r.get("SyncHub_ID"))
        assert [k for k, n in hub_ids.items() if n > 1] == []
        names_seen = Counter(r.get("Account_Name") for r in records)
        assert [k for k, n in names_seen.items() if n > 1] == []
    with engine.connect() as conn:
        tax_ids = Counter(conn.execute(select(Customer.tax_id)).scalars())  # type: ignore[call-overload]
    assert [k for k, n in tax_ids.items() if n > 1 and k] == []
    assert sum(tax_ids.values()) == 3 * PIPELINES
    statuses = Counter(r["status"] for r in runs)
    print(f"\n{len(runs)} runs {dict(statuses)}; abandoned: {[r['id'] for r in abandoned]}")
