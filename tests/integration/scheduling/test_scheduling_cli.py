"""``synchub jobs``, ``synchub scheduler`` and ``synchub worker`` as an operator uses them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from polling import log_tail, wait_for
from scheduling_support import hub_settings, runs
from sqlalchemy import Engine
from typer.testing import CliRunner

from connectors.sdk.sandbox import SandboxServer
from hub.cli.app import app
from hub.store import make_engine
from jobs.flags import JobFlags
from jobs.leases import LeaseManager
from jobs.requests import RequestQueue
from jobs.service import LEADER_LEASE

SYNCHUB = str(Path(sys.executable).with_name("synchub"))


@pytest.fixture
def config(
    zoho: SandboxServer, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    for key in [k for k in os.environ if k.startswith("SYNCHUB_")]:
        monkeypatch.delenv(key)
    settings = hub_settings(sqlite_url, zoho, schedule={"interval_minutes": 0.5 / 60})
    path = tmp_path / "hub.yaml"
    path.write_text(yaml.safe_dump(settings.model_dump(mode="json", exclude={"secret_key"})))
    return path


def synchub(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--config", str(config), *args])
    return result.exit_code, result.output


def test_jobs_list_pause_resume_trigger(config: Path, hub_store: Engine) -> None:
    code, out = synchub(config, "jobs", "list")
    assert code == 0, out
    assert "every 0.5 s" in out
    assert "never" in out
    assert "no scheduler is running" in out
    assert synchub(config, "jobs", "pause", "p") == (0, "p paused\n")
    assert JobFlags(hub_store).is_paused("pipeline:p")
    assert "paused" in synchub(config, "jobs", "list")[1]
    assert synchub(config, "jobs", "resume", "p") == (0, "p resumed\n")
    assert not JobFlags(hub_store).is_paused("pipeline:p")
    code, out = synchub(config, "jobs", "trigger", "p", "--full")
    assert code == 0
    assert "run of p queued" in out
    assert "no scheduler is running" in out
    (request,) = RequestQueue(hub_store).pending()
    assert request.kwargs == {"pipeline": "p", "trigger": "manual", "full": True}
    code, out = synchub(config, "jobs", "pause", "nope")
    assert code == 1
    assert "no pipeline named 'nope' (configured: p)" in out


def test_scheduler_and_worker_refuse_to_start_wrongly(config: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.yaml"
    settings = yaml.safe_load(config.read_text())
    settings["database_url"] = f"sqlite:///{tmp_path / 'empty.db'}"
    fresh.write_text(yaml.safe_dump(settings))
    code, out = synchub(fresh, "scheduler")
    assert code == 1
    assert "run `synchub db upgrade` first" in " ".join(out.split())
    code, out = synchub(config, "worker")
    assert code == 1
    assert "no broker configured" in out


@pytest.fixture
def scheduler_process(
    config: Path, hub_store: Engine, tmp_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCHUB_")}
    env["SYNCHUB_CONFIG"] = str(config)
    with (tmp_path / "scheduler.log").open("wb") as log:
        process = subprocess.Popen([SYNCHUB, "scheduler"], env=env, stdout=log, stderr=log)
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_a_single_node_scheduler_runs_pipelines_and_stops_cleanly_on_sigterm(
    scheduler_process: subprocess.Popen[bytes], hub_store: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    wait_for(  # another process writes the runs: poll the store
        lambda: len(runs(hub_store)) >= 2, 30, "two runs", log_tail(tmp_path / "scheduler.log")
    )
    assert LeaseManager(hub_store).holder(LEADER_LEASE) is not None
    scheduler_process.send_signal(signal.SIGTERM)
    assert scheduler_process.wait(timeout=30) == 0
    assert LeaseManager(make_engine(sqlite_url)).holder(LEADER_LEASE) is None
    assert {r["status"] for r in runs(hub_store)} == {"succeeded"}
    assert all(r["holder"].startswith("scheduler@") for r in runs(hub_store))
