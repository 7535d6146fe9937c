"""Leases on both stores: one holder at a time, expiry and takeover, heartbeat, fencing."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from jobs.holding import hold
from jobs.leases import LeaseHeld, LeaseLost, LeaseManager

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_second_owner_is_refused_with_the_holder_named(store: Engine) -> None:
    clock = Clock()
    leases = LeaseManager(store, clock=clock)
    first = leases.acquire("pipeline:p", "worker@a:1/x", 30)
    with pytest.raises(LeaseHeld) as refused:
        leases.acquire("pipeline:p", "worker@b:2/y", 30)
    assert refused.value.holder.owner == "worker@a:1/x"
    assert "worker@a:1/x" in str(refused.value)
    assert leases.holder("pipeline:p") is not None
    assert leases.release(first)
    assert leases.holder("pipeline:p") is None
    second = leases.acquire("pipeline:p", "worker@b:2/y", 30)
    assert second.fence == first.fence + 1
    assert second.previous_owner is None  # released, not abandoned


def test_expired_lease_is_taken_over_and_the_old_holder_is_fenced_out(store: Engine) -> None:
    clock = Clock()
    leases = LeaseManager(store, clock=clock)
    dead = leases.acquire("pipeline:p", "worker@a:1/x", 30)
    clock.advance(29)
    assert leases.try_acquire("pipeline:p", "worker@b:2/y", 30) is None
    clock.advance(2)
    taken = leases.acquire("pipeline:p", "worker@b:2/y", 30)
    assert taken.previous_owner == "worker@a:1/x"
    assert taken.previous_expired_at == dead.expires_at
    assert leases.renew(dead) is None
    assert not leases.release(dead)
    assert leases.holder("pipeline:p").owner == "worker@b:2/y"  # type: ignore[union-attr]


def test_renewal_moves_the_expiry(store: Engine) -> None:
    clock = Clock()
    leases = LeaseManager(store, clock=clock)
    lease = leases.acquire("x", "me", 10)
    clock.advance(8)
    renewed = leases.renew(lease)
    assert renewed is not None
    assert renewed.expires_at == clock.now + timedelta(seconds=10)
    clock.advance(8)
    assert leases.try_acquire("x", "other", 10) is None


def test_racing_owners_get_exactly_one_lease(store: Engine) -> None:
    leases = LeaseManager(store)
    barrier = threading.Barrier(6)
    winners: list[str] = []
    errors: list[BaseException] = []

    def contend(n: int) -> None:
        barrier.wait()
        try:
            if leases.try_acquire("race", f"owner-{n}", 30) is not None:
                winners.append(f"owner-{n}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=contend, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(winners) == 1
    assert leases.holder("race").owner == winners[0]  # type: ignore[union-attr]


async def test_hold_renews_while_work_runs_and_releases_after(store: Engine) -> None:
    leases = LeaseManager(store)
    async with hold(leases, "long", "me", 0.3) as lease:
        await asyncio.sleep(0.5)  # longer than the lease: only the heartbeat keeps it
        holder = leases.holder("long")
        assert holder is not None
        assert (holder.owner, holder.fence) == ("me", lease.fence)
    assert leases.holder("long") is None


async def test_hold_stops_the_work_when_the_lease_is_lost(store: Engine) -> None:
    leases = LeaseManager(store)
    thief_clock = Clock()
    thief_clock.now = datetime.now(UTC) + timedelta(hours=1)
    thief = LeaseManager(store, clock=thief_clock)
    reached_end = []

    async def work() -> None:
        async with hold(leases, "stolen", "me", 0.3):
            thief.acquire("stolen", "thief", 3600)  # seen from the future, ours has lapsed
            await asyncio.sleep(5)
            reached_end.append(True)

    with pytest.raises(LeaseLost, match="lease stolen of me"):
        await work()
    assert reached_end == []
    assert thief.holder("stolen").owner == "thief"  # type: ignore[union-attr]


async def test_hold_refuses_a_held_lease(store: Engine) -> None:
    LeaseManager(store).acquire("busy", "someone", 30)
    with pytest.raises(LeaseHeld, match="someone"):
        async with hold(LeaseManager(store), "busy", "me", 30):
            pytest.fail("entered a held lease")


async def test_hold_gives_up_when_the_store_is_unreachable_past_the_expiry(store: Engine) -> None:
    leases = LeaseManager(store)
    failures: list[int] = []

    def unreachable(lease: object) -> None:
        failures.append(1)
        raise ConnectionError("database unreachable")

    async def work() -> None:
        async with hold(leases, "cut-off", "me", 0.3):
            leases.renew = unreachable  # type: ignore[assignment,method-assign]
            await asyncio.sleep(5)

    with pytest.raises(LeaseLost):
        await work()
    assert len(failures) >= 1  # retried while the lease was still ours, then stopped
