"""Budgets on real runs: counted in the store, slowed, paused with the reason, resumed on renewal."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from connectors.sdk.budget import BudgetExhausted, VendorQuota
from connectors.sdk.sandbox import SandboxServer
from connectors.zoho_crm.sandbox import ZohoCrmSandbox
from hub.budgets.gate import BudgetGate
from hub.budgets.ledger import BUDGET, BudgetLedger
from hub.scheduling.control import SchedulerControl
from hub.scheduling.guard import BudgetPaused, run_guarded
from hub.settings import Settings
from hub.store import Run, make_engine, upgrade

ROOT = Path(__file__).resolve().parents[3]
RUN = Run.__table__  # type: ignore[attr-defined]


@pytest.fixture
def zoho() -> Iterator[SandboxServer]:
    with SandboxServer(ZohoCrmSandbox(seed=3, companies=5)) as server:
        yield server


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def settings_for(sqlite_url: str, zoho: SandboxServer, budget: dict[str, Any]) -> Settings:
    return Settings(
        database_url=sqlite_url,
        mappings_dir=ROOT / "mappings",
        connectors={"crm": {"type": "zoho-crm", "config": zoho.connector_config()}},
        pipelines={
            "p": {"streams": [{"connector": "crm", "stream": "accounts", "direction": "in"}]}
        },
        budgets={"crm": budget},
    )


def test_runs_count_their_requests_in_the_store(
    zoho: SandboxServer, store: Engine, sqlite_url: str
) -> None:
    settings = settings_for(sqlite_url, zoho, {"daily_limit": 1000})
    first = asyncio.run(run_guarded(settings, store, "p", trigger="manual", role="test"))
    second = asyncio.run(run_guarded(settings, store, "p", trigger="manual", role="test"))
    spent = first.requests["crm"]["requests"] + second.requests["crm"]["requests"]
    state = BudgetLedger(settings, store).state("crm")
    assert state is not None
    assert (state.used, state.state) == (spent, "ok")


def test_a_run_pauses_before_the_budget_is_gone_and_resumes_when_it_renews(
    zoho: SandboxServer, store: Engine, sqlite_url: str
) -> None:
    # 10 a day, 80% in reserve: the third request of the day is refused
    settings = settings_for(
        sqlite_url,
        zoho,
        {"daily_limit": 10, "slow_at": 0.1, "reserve": 0.8, "max_delay_seconds": 0},
    )
    result = asyncio.run(run_guarded(settings, store, "p", trigger="schedule", role="test"))
    assert result.status == "paused"
    assert result.error is not None
    assert "paused for the API budget: crm: 2 of 10 requests used; paused until" in result.error
    with store.connect() as conn:
        recorded = conn.execute(select(RUN.c.status, RUN.c.error)).one()
    assert recorded.status == "paused"
    assert "2 of 10 requests used" in recorded.error
    status = SchedulerControl(settings, store).jobs()[0]
    assert status.budget is not None
    assert status.budget["state"] == "paused"
    assert status.budget["reason"].startswith("crm: 2 of 10 requests used; paused until")
    with pytest.raises(BudgetPaused, match="waits for its API budget"):
        asyncio.run(run_guarded(settings, store, "p", trigger="schedule", role="test"))
    # a new budget day begins: yesterday's count no longer applies
    with store.begin() as conn:
        (today,) = conn.execute(select(BUDGET.c.window_start)).scalars()
        conn.execute(update(BUDGET).values(window_start=today - timedelta(days=1)))
    resumed = asyncio.run(run_guarded(settings, store, "p", trigger="schedule", role="test"))
    assert resumed.requests["crm"]["requests"] >= 1
    assert BudgetLedger(settings, store).state("crm").used == 2  # type: ignore[union-attr]


async def test_the_gate_slows_down_counts_other_workers_and_believes_the_vendor(
    zoho: SandboxServer, store: Engine, sqlite_url: str
) -> None:
    settings = settings_for(
        sqlite_url,
        zoho,
        {"daily_limit": 100, "slow_at": 0.5, "reserve": 0.1, "max_delay_seconds": 2},
    )
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    ledger = BudgetLedger(settings, store)
    gate = BudgetGate(ledger, flush_every=5, sleep=fake_sleep)
    for _ in range(50):
        await gate.before_request("crm")
    assert waits == []
    ledger.add("crm", 20)  # another worker spent 20 meanwhile
    for _ in range(5):
        await gate.before_request("crm")  # the flush after 5 reads back the other worker's 20
    await gate.before_request("crm")
    assert waits
    assert waits[-1] == pytest.approx(2 * (75 / 100 - 0.5) / 0.4)
    await gate.before_request("other-instance-without-budget")
    gate.after_response(
        "crm", VendorQuota(remaining=3, limit=100, resets_at=datetime.now(UTC) + timedelta(hours=1))
    )
    with pytest.raises(BudgetExhausted, match="97 of 100 requests used"):
        await gate.before_request("crm")
    assert gate.stopped is not None
