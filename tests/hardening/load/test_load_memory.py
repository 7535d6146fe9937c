"""A pull of ten times the records needs far less than ten times the memory: pages are streamed.

A Zoho CRM sandbox in this process serves N, then 10N accounts; each full pull
runs in a process of its own (``pull_memory.py``) that reports how much its
peak resident set grew during the pull. If the hub held whole streams or tables
in memory the growth would be about linear in the records; it must stay under
``MAX_RATIO`` times the growth at N (linear would be 10). ``make soak`` runs
N = 10,000, i.e. a pull of 100,000 records per stream
(``SYNCHUB_LOAD_RECORDS``); the benchmark reports absolute figures (bench/).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from connectors.sdk.sandbox import SandboxServer
from connectors.zoho_crm.sandbox import ZohoCrmSandbox

REPO = Path(__file__).resolve().parents[3]
CHILD = Path(__file__).with_name("pull_memory.py")
RECORDS = int(os.environ.get("SYNCHUB_LOAD_RECORDS", "2000"))
MAX_RATIO = 4.0
REPORT = REPO / "test-artifacts" / "hardening" / "pull_memory.json"


def load_accounts(sandbox: ZohoCrmSandbox, count: int) -> None:
    """Put ``count`` valid accounts in the org at once (the one-by-one create path is O(n^2))."""
    module = sandbox._module_of("accounts")
    with sandbox.lock:
        records = sandbox.org.records[module.api_name]
        records.clear()
        now, owner = sandbox.org.now(), sandbox.org.owner()
        for n in range(count):
            record_id = sandbox.org.new_id()
            records[record_id] = {
                **sandbox.sample_record("accounts", 10**6 + n),
                "id": record_id,
                "Created_Time": now,
                "Modified_Time": now,
                "Created_By": owner,
                "Modified_By": owner,
                "Owner": owner,
            }


def pull(count: int, folder: Path) -> dict[str, Any]:
    """A full pull of ``count`` accounts in a child process; its report."""
    sandbox = ZohoCrmSandbox(seed=41, companies=1)
    load_accounts(sandbox, count)
    with SandboxServer(sandbox) as zoho:
        folder.mkdir()
        settings = {
            "database_url": f"sqlite:///{folder / 'hub.db'}",
            "mappings_dir": str(REPO / "mappings"),
            "connectors": {"crm": {"type": "zoho-crm", "config": zoho.connector_config()}},
            "pipelines": {
                "pull": {"streams": [{"connector": "crm", "stream": "accounts", "direction": "in"}]}
            },
        }
        (folder / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, str(CHILD), str(folder / "settings.json")],
            capture_output=True,
            text=True,
            timeout=3600,
            cwd=REPO,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["status"] == "succeeded", report
    assert report["read"] == report["created"] == count
    report["growth_mib"] = round((report["peak_after_kib"] - report["peak_before_kib"]) / 1024, 1)
    return report


@pytest.mark.slow
def test_memory_grows_far_less_than_the_records(tmp_path: Path) -> None:
    small = pull(RECORDS, tmp_path / "small")
    large = pull(10 * RECORDS, tmp_path / "large")
    ratio = large["growth_mib"] / max(small["growth_mib"], 1.0)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps(
            {
                "records": [RECORDS, 10 * RECORDS],
                "small": small,
                "large": large,
                "ratio": round(ratio, 2),
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    print(
        f"peak RSS growth: {small['growth_mib']} MiB for {RECORDS:,} records, "
        f"{large['growth_mib']} MiB for {10 * RECORDS:,} (x{ratio:.1f}; linear would be x10)"
    )
    assert ratio < MAX_RATIO, (small, large)
