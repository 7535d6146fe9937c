"""Fault-free references: each scenario synced once without faults, kept as a snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reliability_scenarios import SCENARIOS, SqliteTemplate, deploy
from reliability_snapshot import Snapshot, take_snapshot

from hub.sync import crashpoints


@dataclass
class Reference:
    """A scenario's fault-free outcome."""

    snapshot: Snapshot
    first_run_requests: int
    runs: int
    stage_counts: dict[str, int]
    """Crash points of each stage the first run passed (what kill plans draw from)."""


class References:
    """Fault-free references, made on first use and kept for the session."""

    def __init__(self, folder: Path, template: SqliteTemplate) -> None:
        self.folder = folder
        self.template = template
        self.made: dict[str, Reference] = {}

    def get(self, name: str) -> Reference:
        if name not in self.made:
            deployment = deploy(SCENARIOS[name], self.folder / name, self.template)
            try:
                crashpoints.arm("count")
                try:
                    first = deployment.run()
                    counts = crashpoints.counts()
                finally:
                    crashpoints.arm(None)
                assert first.error is None, first.error
                requests = len(deployment.tap.log)
                runs = 1 + len(deployment.run_until_quiet())
                self.made[name] = Reference(take_snapshot(deployment), requests, runs, counts)
            finally:
                deployment.close()
        return self.made[name]
