"""Fault-free references: each scenario synced once without faults, kept as a snapshot."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from reliability_scenarios import COMPANIES, PIPELINES, SCENARIOS, SqliteTemplate, deploy
from reliability_snapshot import Snapshot, take_snapshot

from hub.sync import crashpoints, dlq


@dataclass
class Reference:
    """A scenario's fault-free outcome."""

    snapshot: Snapshot
    runs: int
    letters_before_retry: dict[str, int]
    """Open dead letters by ``connector:stage`` once the pipeline converged, before the
    retry job's turn."""
    stage_counts: dict[str, int]
    """Crash points of each stage the first run passed (what kill plans draw from)."""


class References:
    """Fault-free references, made on first use and kept for the session, one per pipeline
    (the Zoho CRM and Kingdee scenarios share theirs)."""

    def __init__(self, folder: Path, template: SqliteTemplate, companies: int = COMPANIES) -> None:
        self.folder = folder
        self.template = template
        self.companies = companies
        self.made: dict[str, Reference] = {}
        self.failed: dict[str, str] = {}

    def get(self, name: str) -> Reference:
        """The reference of scenario ``name``'s pipeline."""
        pipeline = SCENARIOS[name].pipeline
        if pipeline in self.failed:
            raise AssertionError(
                f"the fault-free run of {pipeline} failed: {self.failed[pipeline]}"
            )
        if pipeline not in self.made:
            deployment = deploy(
                PIPELINES[pipeline], self.folder / pipeline, self.template, companies=self.companies
            )
            try:
                crashpoints.arm("count")
                try:
                    first = deployment.run()
                    counts = crashpoints.counts()
                finally:
                    crashpoints.arm(None)
                assert first.error is None, first.error
                runs = 1 + len(deployment.run_until_quiet())
                letters = Counter(
                    f"{x['connector']}:{x['stage']}"
                    for x in dlq.list_letters(deployment.engine, limit=10_000)
                )
                deployment.retry_letters()
                runs += len(deployment.run_until_quiet())
                self.made[pipeline] = Reference(
                    take_snapshot(deployment), runs, dict(letters), counts
                )
            except Exception as exc:  # every test of the pipeline would fail the same way
                self.failed[pipeline] = f"{type(exc).__name__}: {exc}"[:2000]
                raise
            finally:
                deployment.close()
        return self.made[pipeline]
