"""Running one measured client process, and summarising repeated runs.

Every figure the report shows is a ``Figure``: the median of the runs with
their min and max, and the runs themselves so a reader can see the spread.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.remote import RemoteSandbox

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "bench"


class WorkerFailed(RuntimeError):
    """A measured process exited with an error (its stderr tail is the message)."""


def figure(values: Iterable[float]) -> dict[str, Any]:
    """Median, min, max and the runs of ``values`` (rounded for the report)."""
    runs = [float(v) for v in values]
    if not runs:
        return {"median": None, "min": None, "max": None, "runs": []}
    return {
        "median": round(statistics.median(runs), 4),
        "min": round(min(runs), 4),
        "max": round(max(runs), 4),
        "runs": [round(v, 4) for v in runs],
    }


def run_client(
    client: str,
    sandbox: RemoteSandbox | None = None,
    *,
    profile: str | None = None,
    **args: Any,
) -> dict[str, Any]:
    """Run ``bench.clients.<client>`` once in a fresh process; its figures plus the sandbox's.

    With a sandbox, the figures also carry what the server saw: requests by
    endpoint and the sandbox process's CPU seconds during the run.
    """
    task: dict[str, Any] = {"client": client, "args": args}
    if profile:
        task["profile"] = profile
    if sandbox is not None:
        sandbox.call("requests", reset=True)
        cpu_before = sandbox.call("cpu_seconds")
    env = dict(os.environ, PYTHONPATH=str(ROOT), RUNTIME__DLTHUB_TELEMETRY="false")
    done = subprocess.run(
        [sys.executable, "-m", "bench.worker", json.dumps(task, default=str)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise WorkerFailed(f"{client} failed:\n{done.stderr[-4000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if sandbox is not None:
        figures["server_requests"] = sandbox.call("requests", reset=True)
        figures["server_cpu_s"] = sandbox.call("cpu_seconds") - cpu_before
    return figures


def db_path(name: str) -> str:
    """A SQLite file under var/bench for one client (its old files are removed by the client)."""
    WORK.mkdir(parents=True, exist_ok=True)
    return str(WORK / f"{name}.db")


def listing_requests(figures: dict[str, Any], module: str = "Accounts") -> int:
    """List calls the server answered for ``module`` during a run."""
    return sum(
        n
        for key, n in figures.get("server_requests", {}).items()
        if key.startswith("GET ") and key.endswith(f"/{module}")
    )
