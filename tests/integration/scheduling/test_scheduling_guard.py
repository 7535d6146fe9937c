"""One run per pipeline at a time, across processes: refusals name the holder; dead holders."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from scheduling_support import assert_no_overlap, hub_settings, runs
from sqlalchemy import Engine, insert
from typer.testing import CliRunner

from connectors.sdk.sandbox import SandboxServer
from hub.cli.app import app
from hub.scheduling import runtime
from hub.scheduling.guard import PipelineBusy, run_guarded
from hub.scheduling.names import lease_name
from hub.scheduling.tasks import run_pipeline_job
from hub.store import Run
from jobs.leases import LeaseManager
from jobs.requests import RequestQueue

ELSEWHERE = "worker@other-host:4242/deadbeef"


def test_a_second_start_is_refused_naming_the_holder(
    zoho: SandboxServer, hub_store: Engine, sqlite_url: str
) -> None:
    settings = hub_settings(sqlite_url, zoho)
    LeaseManager(hub_store).acquire(lease_name("p"), ELSEWHERE, 60)
    with pytest.raises(PipelineBusy, match=ELSEWHERE):
        asyncio.run(run_guarded(settings, hub_store, "p", trigger="manual", role="test"))
    assert runs(hub_store) == []


def test_sync_run_on_the_command_line_is_refused_while_the_pipeline_runs(
    zoho: SandboxServer,
    hub_store: Engine,
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = hub_settings(sqlite_url, zoho)
    config = tmp_path / "hub.yaml"
    config.write_text(yaml.safe_dump(settings.model_dump(mode="json", exclude={"secret_key"})))
    for key in [k for k in __import__("os").environ if k.startswith("SYNCHUB_")]:
        monkeypatch.delenv(key)
    leases = LeaseManager(hub_store)
    held = leases.acquire(lease_name("p"), ELSEWHERE, 60)
    refused = CliRunner().invoke(app, ["--config", str(config), "sync", "run", "p"])
    assert refused.exit_code == 1
    assert "already running" in refused.output
    assert ELSEWHERE in refused.output
    leases.release(held)
    ran = CliRunner().invoke(app, ["--config", str(config), "sync", "run", "p"])
    assert ran.exit_code == 0, ran.output
    (run,) = runs(hub_store)
    assert (run["trigger"], run["status"]) == ("cli", "succeeded")
    assert run["holder"].startswith("cli@")
    assert leases.holder(lease_name("p")) is None


def test_a_dead_holders_run_is_closed_when_its_lease_is_taken_over(
    zoho: SandboxServer, hub_store: Engine, sqlite_url: str
) -> None:
    settings = hub_settings(sqlite_url, zoho)
    died = datetime.now(UTC) - timedelta(seconds=30)
    past = LeaseManager(hub_store, clock=lambda: died)
    past.acquire(lease_name("p"), ELSEWHERE, 5)  # lapsed 25 s ago
    dead_run = str(uuid.uuid4())
    with hub_store.begin() as conn:
        conn.execute(
            insert(Run.__table__).values(  # type: ignore[attr-defined]
                id=dead_run,
                pipeline="p",
                status="running",
                trigger="schedule",
                holder=ELSEWHERE,
                started_at=died,
                counts={},
                requests={},
            )
        )
    result = asyncio.run(run_guarded(settings, hub_store, "p", trigger="schedule", role="test"))
    assert result.status == "succeeded"
    dead, fresh = runs(hub_store)
    assert dead["id"] == dead_run
    assert dead["status"] == "failed"
    assert ELSEWHERE in dead["error"]
    assert "abandoned" in dead["error"]
    assert dead["finished_at"] == died + timedelta(seconds=5)
    assert fresh["id"] == result.run_id
    assert_no_overlap([dead, fresh])


def test_a_busy_webhook_run_is_queued_again_and_a_busy_scheduled_run_is_skipped(
    zoho: SandboxServer, hub_store: Engine, sqlite_url: str
) -> None:
    runtime.install(hub_settings(sqlite_url, zoho), hub_store, "test")
    LeaseManager(hub_store).acquire(lease_name("p"), ELSEWHERE, 60)
    skipped = run_pipeline_job("p", trigger="schedule")
    assert ELSEWHERE in skipped["skipped"]
    assert RequestQueue(hub_store).pending() == []
    run_pipeline_job("p", trigger="webhook")
    (again,) = RequestQueue(hub_store).pending()
    assert again.kwargs == {"pipeline": "p", "trigger": "webhook", "full": False}
    assert again.lease == lease_name("p")
    assert runs(hub_store) == []
    assert run_pipeline_job("nope")["skipped"].startswith("pipeline nope")
