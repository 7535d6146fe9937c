"""Client-side pacing and the incremental cursor's boundary rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.sdk import Incremental, RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_token_bucket_paces_to_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, burst=2, clock=clock, sleep=clock.sleep)
    for _ in range(6):
        async with limiter.slot():
            pass
    # two from the burst, then one every half second
    assert clock.now == pytest.approx(2.0)
    assert all(s == pytest.approx(0.5) for s in clock.slept)


async def test_unpaced_limiter_never_sleeps() -> None:
    clock = FakeClock()
    limiter = RateLimiter(None, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        async with limiter.slot():
            pass
    assert clock.slept == []


T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_records_at_the_boundary_are_not_repeated_but_edits_are_seen() -> None:
    cursor = Incremental()
    for rid in ("a", "b"):
        cursor.observe(rid, T0)
    state = cursor.checkpoint(now=T0 + timedelta(hours=1))
    again = Incremental.from_state(state)
    assert again.since == T0  # ask for >= the watermark
    assert not again.is_new("a", T0)  # already read at this time
    assert again.is_new("c", T0)  # same second, new record: not lost
    assert again.is_new("a", T0 + timedelta(seconds=1))  # edited again: seen


def test_overlap_window_reads_back_and_dedupes() -> None:
    cursor = Incremental(overlap=timedelta(minutes=2))
    cursor.observe("a", T0)
    cursor.observe("b", T0 + timedelta(minutes=1))
    state = cursor.checkpoint(now=T0 + timedelta(hours=1))
    again = Incremental.from_state(state, overlap=timedelta(minutes=2))
    assert again.since == T0 - timedelta(minutes=1)
    assert not again.is_new("a", T0)
    assert not again.is_new("b", T0 + timedelta(minutes=1))


def test_watermark_never_passes_the_run_start() -> None:
    cursor = Incremental()
    cursor.observe("future", T0 + timedelta(days=1))
    state = cursor.checkpoint(now=T0)
    assert state["value"] == T0.isoformat()


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Incremental().observe("a", datetime(2026, 1, 1))  # noqa: DTZ001
