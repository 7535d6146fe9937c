"""Maintenance jobs: dead letters retried with backoff, runs pruned, credentials renewed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from scheduling_support import hub_settings
from sqlalchemy import Engine, func, insert, select

from connectors.sdk import registry
from connectors.sdk.sandbox import SandboxServer
from hub.scheduling import maintenance, runtime
from hub.scheduling.names import lease_name
from hub.scheduling.tasks import prune_runs_job, refresh_tokens_job, retry_dead_letters_job
from hub.store import DeadLetter, Run, RunEvent
from jobs.leases import LeaseManager

DEAD = DeadLetter.__table__  # type: ignore[attr-defined]
RUN = Run.__table__  # type: ignore[attr-defined]
EVENT = RunEvent.__table__  # type: ignore[attr-defined]
NOW = datetime.now(UTC)


def letter(remote_id: str, payload: dict[str, Any], **extra: Any) -> dict[str, Any]:
    row = {
        "pipeline": "p",
        "connector": "crm",
        "stream": "accounts",
        "entity": "customer",
        "direction": "in",
        "stage": "validate",
        "remote_id": remote_id,
        "error": "tax_id: checksum does not match",
        "payload": payload,
        "attempts": 1,
        "status": "open",
        "first_seen": NOW - timedelta(hours=1),
        "last_attempt": NOW - timedelta(hours=1),
        "next_attempt_at": NOW - timedelta(minutes=1),
    }
    row.update(extra)
    return row


def test_due_letters_are_retried_and_those_still_failing_back_off(
    zoho: SandboxServer, hub_store: Engine, sqlite_url: str
) -> None:
    settings = hub_settings(sqlite_url, zoho)
    good_id = sorted(zoho.sandbox.remote_ids("accounts"))[0]
    good = zoho.sandbox.get_record("accounts", good_id)
    assert good is not None
    bad = {
        **good,
        "id": "990000000000000001",
        "Tax_ID": "91110000XXXXXXXXXX",
        "Account_Name": "坏数据",
    }
    with hub_store.begin() as conn:
        conn.execute(insert(DEAD).values(letter(good_id, good)))
        conn.execute(insert(DEAD).values(letter(bad["id"], bad, attempts=3)))
        conn.execute(  # not due yet: untouched
            insert(DEAD).values(
                letter("990000000000000002", bad, next_attempt_at=NOW + timedelta(hours=1))
            )
        )
    report = asyncio.run(maintenance.retry_dead_letters(settings, hub_store, role="test"))
    assert len(report.resolved) == 1
    assert len(report.failing) == 1
    with hub_store.connect() as conn:
        rows = {r["remote_id"]: dict(r) for r in conn.execute(select(DEAD)).mappings()}
    assert good_id not in rows  # went through
    failing = rows[bad["id"]]
    assert failing["attempts"] == 4
    assert failing["next_attempt_at"] - failing["last_attempt"] == timedelta(minutes=5 * 2**3)
    assert rows["990000000000000002"]["attempts"] == 1


def test_backoff_doubles_and_is_capped(zoho: SandboxServer, sqlite_url: str) -> None:
    settings = hub_settings(
        sqlite_url, zoho, scheduling={"dlq_backoff_minutes": 5, "dlq_backoff_max_hours": 1}
    )
    waits = [maintenance.backoff(settings, n) for n in (1, 2, 3, 4, 5)]
    assert waits == [timedelta(minutes=m) for m in (5, 10, 20, 40, 60)]


def test_letters_of_a_running_pipeline_wait_for_the_next_round(
    zoho: SandboxServer, hub_store: Engine, sqlite_url: str
) -> None:
    runtime.install(hub_settings(sqlite_url, zoho), hub_store, "test")
    good_id = sorted(zoho.sandbox.remote_ids("accounts"))[0]
    with hub_store.begin() as conn:
        conn.execute(
            insert(DEAD).values(letter(good_id, zoho.sandbox.get_record("accounts", good_id) or {}))
        )
    LeaseManager(hub_store).acquire(lease_name("p"), "worker@busy:1/x", 60)
    assert retry_dead_letters_job()["busy"] == ["p"]
    with hub_store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(DEAD)).scalar() == 1


def test_old_finished_runs_are_pruned_with_their_events(
    zoho: SandboxServer, hub_store: Engine, sqlite_url: str
) -> None:
    runtime.install(
        hub_settings(sqlite_url, zoho, scheduling={"run_retention_days": 30}), hub_store, "test"
    )

    def add_run(age_days: int, status: str) -> str:
        run_id = str(uuid.uuid4())
        started = NOW - timedelta(days=age_days)
        with hub_store.begin() as conn:
            conn.execute(
                insert(RUN).values(
                    id=run_id,
                    pipeline="p",
                    status=status,
                    started_at=started,
                    finished_at=None if status == "running" else started,
                    counts={},
                    requests={},
                )
            )
            conn.execute(
                insert(EVENT).values(run_id=run_id, at=started, kind="pull_started", data={})
            )
        return run_id

    old = [add_run(40, "succeeded") for _ in range(3)]
    kept = [add_run(5, "failed"), add_run(45, "running")]
    assert prune_runs_job() == {"pruned": 3}
    with hub_store.connect() as conn:
        left = set(conn.execute(select(RUN.c.id)).scalars())
        events = set(conn.execute(select(EVENT.c.run_id)).scalars())
    assert left == set(kept)
    assert events == set(kept)
    assert not set(old) & left


class _Renewing:
    """Stands in for a connector class whose credentials outlive a run."""

    calls: ClassVar[list[timedelta]] = []

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        connector = self.cls(*args, **kwargs)

        async def refresh_credentials(within: timedelta) -> datetime:
            _Renewing.calls.append(within)
            return NOW + timedelta(days=7)

        connector.refresh_credentials = refresh_credentials
        return connector


def test_credentials_are_renewed_ahead_of_expiry(
    zoho: SandboxServer, hub_store: Engine, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = hub_settings(sqlite_url, zoho, scheduling={"token_refresh_margin_minutes": 90})
    runtime.install(settings, hub_store, "test")
    assert refresh_tokens_job() == {"crm": "nothing to renew (credentials are minted per run)"}
    real = registry.load
    monkeypatch.setattr(registry, "load", lambda name: _Renewing(real(name)))
    report = refresh_tokens_job()
    assert report["crm"].startswith("valid until")
    assert _Renewing.calls == [timedelta(minutes=90)]
