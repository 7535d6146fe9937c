"""Queued runs: one pending request per key however often it is asked for, claimed once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from jobs.flags import JobFlags
from jobs.requests import RequestQueue


def test_repeats_fold_into_the_pending_request_without_moving_it(store: Engine) -> None:
    queue = RequestQueue(store)
    first = queue.submit("pipeline:p", "m:f", {"pipeline": "p"}, delay=30, requested_by="hook")
    for _ in range(99):
        again = queue.submit("pipeline:p", "m:f", {"pipeline": "p"}, delay=30)
    assert again.id == first.id
    assert again.hits == 100
    assert again.due_at == first.due_at  # a steady stream still runs once per window
    assert queue.due() == []  # not due for 30 s
    assert [r.id for r in queue.pending()] == [first.id]


def test_concurrent_submissions_still_make_one_request(store: Engine) -> None:
    queue = RequestQueue(store)
    barrier = threading.Barrier(5)
    ids: list[int] = []

    def submit() -> None:
        barrier.wait()
        for _ in range(10):
            ids.append(queue.submit("pipeline:q", "m:f", {}).id)

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1
    assert queue.pending()[0].hits == 50


def test_a_claimed_request_is_not_due_again_and_a_new_one_can_queue(store: Engine) -> None:
    now = [datetime(2026, 12, 1, tzinfo=UTC)]
    queue = RequestQueue(store, clock=lambda: now[0])
    request = queue.submit("k", "m:f", {"x": 1})
    assert [r.id for r in queue.due()] == [request.id]
    assert queue.claim(request, claimer="leader")
    assert not queue.claim(request, claimer="other")
    assert queue.due() == []
    later = queue.submit("k", "m:f", {"x": 2}, delay=5)
    assert later.id != request.id
    queue.postpone(later, 60)
    now[0] += timedelta(seconds=30)
    assert queue.due() == []
    now[0] += timedelta(seconds=31)
    assert [r.kwargs for r in queue.due()] == [{"x": 2}]


def test_pause_flags_are_shared_through_the_store(store: Engine) -> None:
    one, other = JobFlags(store), JobFlags(store)
    assert not other.is_paused("pipeline:p")
    one.set_paused("pipeline:p", True, by="web", reason="maintenance window")
    assert other.is_paused("pipeline:p")
    flag = other.all()["pipeline:p"]
    assert (flag.paused, flag.changed_by, flag.reason) == (True, "web", "maintenance window")
    one.set_paused("pipeline:p", False, by="cli")
    assert not other.is_paused("pipeline:p")
