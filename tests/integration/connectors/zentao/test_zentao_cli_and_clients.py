"""``synchub sandbox zentao`` as a process, and a third-party client (zentao-cli) pointed at it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sandbox_cli import served

from connectors.sdk.sandbox import SandboxServer

BIN = Path(sys.executable).parent


@pytest.fixture
def cli_sandbox() -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    """``synchub sandbox zentao --port 0 --json`` running; its first line parsed."""
    with served("zentao") as running:
        yield running


def test_cli_prints_one_json_line_then_serves(
    cli_sandbox: tuple[subprocess.Popen[str], dict[str, Any]],
) -> None:
    proc, creds = cli_sandbox
    assert set(creds) == {"base_url", "account", "password"}
    api = f"{creds['base_url']}/api.php/v1"
    token = httpx.post(
        f"{api}/tokens", json={"account": creds["account"], "password": creds["password"]}
    ).json()["token"]
    projects = httpx.get(f"{api}/projects", headers={"Token": token}).json()
    assert projects["total"] > 0
    assert proc.poll() is None  # still serving


def _zentao_cli_env(server: SandboxServer, home: Path) -> dict[str, str]:
    creds = server.credentials()
    return {
        **os.environ,
        "HOME": str(home),  # keep the client away from a real ~/.config/zentao
        "ZENTAO_HOST": creds["base_url"],
        "ZENTAO_ACCOUNT": creds["account"],
        "ZENTAO_PASSWORD": creds["password"],
    }


def test_zentao_cli_logs_in_and_lists_projects(server: SandboxServer, tmp_path: Path) -> None:
    """zentao-cli's own login (POST /tokens) and request helper list the sandbox's projects."""
    script = (
        "import json, zentao_cli.cli as z\n"
        "z._cfg = z.load_config()\n"
        "print(json.dumps(z.api('GET', 'projects?limit=500')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=_zentao_cli_env(server, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    assert {str(p["id"]) for p in listing["projects"]} == server.sandbox.remote_ids("projects")
    assert server.sandbox.requests[("POST", "/api.php/v1/tokens")] == 1


def test_zentao_cli_command_lists_an_executions_tasks(
    server: SandboxServer, tmp_path: Path
) -> None:
    """The ``zentao list`` command end to end: executions by name, then that execution's tasks."""
    execution = server.sandbox.get_record("executions", "1")
    assert execution is not None
    done = subprocess.run(
        [str(BIN / "zentao"), "list", "--execution", execution["name"], "--json"],
        env=_zentao_cli_env(server, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    tasks = json.loads(done.stdout)
    assert tasks
    assert all(str(t["execution"]) in server.sandbox.remote_ids("executions") for t in tasks)
