"""The sync process killed with SIGKILL in the middle of a push, then run again:
no duplicate and no missing record in either system, compared with a run that was
never interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from e2e_support import Hub

from hub.demo.run import start

SNAPSHOT_STREAMS = {
    "crm": ("accounts", "contracts", "invoices", "payments"),
    "erp": ("customers", "contracts"),
}
NAME_FIELDS = {
    "accounts": "Account_Name",
    "contracts": "Name",
    "invoices": "Subject",
    "payments": "Name",
    "customers": "FName",
}
ERP_CONTRACT_NAME = "FBillNo"


def snapshot(hub: Hub) -> dict[str, Counter[str]]:
    """Business keys of every record in both sandboxes, with multiplicity."""
    result: dict[str, Counter[str]] = {}
    for system, streams in SNAPSHOT_STREAMS.items():
        sandbox = hub.crm.sandbox if system == "crm" else hub.erp.sandbox
        for stream in streams:
            field = (
                ERP_CONTRACT_NAME
                if (system, stream) == ("erp", "contracts")
                else NAME_FIELDS[stream]
            )
            records = [sandbox.get_record(stream, rid) for rid in sandbox.remote_ids(stream)]
            result[f"{system}.{stream}"] = Counter(str(r[field]) for r in records if r is not None)
    return result


def synced_key_counts(hub: Hub) -> Counter[str]:
    """How many records in each system carry each hub id (more than one is a duplicate)."""
    counts: Counter[str] = Counter()
    for system, streams in SNAPSHOT_STREAMS.items():
        sandbox = hub.crm.sandbox if system == "crm" else hub.erp.sandbox
        key = "SyncHub_ID" if system == "crm" else "F_SyncHub_ID"
        for stream in streams:
            for rid in sandbox.remote_ids(stream):
                record = sandbox.get_record(stream, rid)
                if record and record.get(key):
                    counts[f"{system}.{stream}:{record[key]}"] += 1
    return counts


@pytest.mark.parametrize(
    ("system", "marker", "nth"),
    [("erp", "BatchSave", 1), ("crm", "/upsert", 3)],
    ids=["kingdee-create-in-flight", "zoho-third-upsert"],
)
def test_sigkill_mid_push_then_rerun_leaves_no_duplicate_and_no_gap(
    hub: Hub, tmp_path: Path, system: str, marker: str, nth: int
) -> None:
    reference_demo = start(tmp_path / "reference", seed=7, companies=24)
    reference = Hub(reference_demo, tmp_path)
    try:
        reference.run()
        reference.run()
        expected = snapshot(reference)
    finally:
        reference.close()

    server = hub.crm if system == "crm" else hub.erp
    reached = threading.Event()
    seen: list[str] = []

    def on_request(method: str, path: str) -> None:
        if marker in path and method == "POST":
            seen.append(path)
            if len(seen) == nth:
                reached.set()

    server.sandbox.faults.latency = 0.3  # the write is still in flight when the process dies
    server.sandbox.on_request = on_request
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hub.cli.app",
            "--config",
            str(hub.demo.config_file),
            "sync",
            "run",
            "crm-erp",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    try:
        assert reached.wait(timeout=120), "the push never reached the write to interrupt"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    server.sandbox.on_request = None
    server.sandbox.faults.latency = 0.0

    hub.run()
    hub.run()

    assert snapshot(hub) == expected
    duplicates = {key: n for key, n in synced_key_counts(hub).items() if n > 1}
    assert duplicates == {}
