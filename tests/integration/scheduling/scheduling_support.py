"""A Zoho CRM sandbox, hub settings for pipelines over it, and scheduler events to wait for."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apscheduler.events import SchedulerEvent
from sqlalchemy import Engine, select

from connectors.sdk.sandbox import SandboxServer
from hub.settings import Settings
from hub.store import Run

ROOT = Path(__file__).resolve().parents[3]
RUN = Run.__table__  # type: ignore[attr-defined]


def hub_settings(
    database_url: str,
    server: SandboxServer,
    *,
    schedule: dict[str, Any] | None = None,
    pipelines: int = 1,
    **extra: Any,
) -> Settings:
    """Pipelines ``p`` (and ``p2``...) reading Zoho accounts, polling every 0.1 s, short leases."""
    names = ["p"] + [f"p{n}" for n in range(2, pipelines + 1)]
    config: dict[str, Any] = {
        "database_url": database_url,
        "mappings_dir": ROOT / "mappings",
        "connectors": {"crm": {"type": "zoho-crm", "config": server.connector_config()}},
        "pipelines": {
            name: {
                "streams": [{"connector": "crm", "stream": "accounts", "direction": "in"}],
                **({"schedule": schedule} if schedule else {}),
            }
            for name in names
        },
        "scheduling": {"lease_seconds": 1.5, "poll_seconds": 0.1},
    }
    config.update(extra)
    return Settings(**config)


def runs(engine: Engine, pipeline: str = "p") -> list[dict[str, Any]]:
    """The pipeline's runs, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(RUN).where(RUN.c.pipeline == pipeline).order_by(RUN.c.started_at)
        ).mappings()
        return [dict(r) for r in rows]


def assert_no_overlap(rows: list[dict[str, Any]]) -> None:
    """No two runs of one pipeline were ever open at once."""
    finished = [r for r in rows if r["finished_at"] is not None]
    assert len(finished) == len(rows), "a run was left open"
    for before, after in itertools.pairwise(finished):
        assert before["finished_at"] <= after["started_at"], (before["id"], after["id"])


@dataclass
class Seen:
    code: int
    job_id: str | None
    retval: Any


class Events:
    """An APScheduler listener whose events a test can wait for."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self._cond = threading.Condition()

    def __call__(self, event: SchedulerEvent) -> None:
        with self._cond:
            self.seen.append(
                Seen(event.code, getattr(event, "job_id", None), getattr(event, "retval", None))
            )
            self._cond.notify_all()

    def matching(self, code: int, prefix: str) -> list[Seen]:
        with self._cond:
            return [e for e in self.seen if e.code == code and (e.job_id or "").startswith(prefix)]

    def wait(self, code: int, prefix: str, count: int = 1, timeout: float = 20) -> bool:
        with self._cond:
            return self._cond.wait_for(
                lambda: (
                    sum(
                        1
                        for e in self.seen
                        if e.code == code and (e.job_id or "").startswith(prefix)
                    )
                    >= count
                ),
                timeout,
            )
