"""The scheduler service over a persistent store: on time, never twice at once, misfires, pause."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jobs_support
import pytest
from apscheduler.events import (
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
)
from jobs_support import Events
from sqlalchemy import Engine

from jobs.dispatch import InlineDispatcher
from jobs.flags import JobFlags
from jobs.leases import LeaseManager
from jobs.requests import RequestQueue
from jobs.scheduler import JobSpec, build_scheduler, next_run_times, reconcile, stop_scheduler
from jobs.service import LEADER_LEASE, SchedulerService

RECORD = "jobs_support:record"


def service(
    store: Engine, specs: list[JobSpec], events: Events, owner: str = "sched-a"
) -> SchedulerService:
    return SchedulerService(
        LeaseManager(store),
        lambda: specs,
        InlineDispatcher(),
        owner=owner,
        lease_seconds=0.9,
        poll_seconds=0.1,
        listeners=[events],
    )


@pytest.fixture
def running() -> Iterator[list[SchedulerService]]:
    started: list[SchedulerService] = []
    yield started
    for svc in started:
        svc.stop(timeout=10)


def start(running: list[SchedulerService], svc: SchedulerService) -> SchedulerService:
    running.append(svc.start())
    assert svc.leading.wait(10) or svc.owner != "sched-a"
    return svc


def test_a_job_runs_on_its_schedule(store: Engine, running: list[SchedulerService]) -> None:
    events = Events()
    spec = JobSpec("tick", RECORD, {"n": 1}, interval_seconds=0.3)
    start(running, service(store, [spec], events))
    assert events.wait(EVENT_JOB_EXECUTED, "tick", count=3)
    assert jobs_support.CALLS[:3] == [{"n": 1}] * 3
    assert next_run_times(store)["tick"] is not None


def test_an_overrun_does_not_start_a_second_instance(
    store: Engine, running: list[SchedulerService]
) -> None:
    events = Events()
    spec = JobSpec("slow", "jobs_support:gated", {"name": "slow"}, interval_seconds=0.2)
    start(running, service(store, [spec], events))
    assert events.wait(EVENT_JOB_MAX_INSTANCES, "slow", count=2)  # two fire times refused
    assert jobs_support.OVERLAPS == []
    assert events.count(EVENT_JOB_EXECUTED, "slow") == 0
    jobs_support.GATES["slow"].set()
    assert events.wait(EVENT_JOB_EXECUTED, "slow")
    assert jobs_support.OVERLAPS == []


def _store_with_missed_job(store: Engine, spec: JobSpec, missed_by: float) -> None:
    """The store as a scheduler that died left it: the next fire time is in the past."""
    scheduler = build_scheduler(store)
    scheduler.start(paused=True)
    reconcile(scheduler, [spec])
    scheduler.modify_job(spec.id, next_run_time=datetime.now(UTC) - timedelta(seconds=missed_by))
    stop_scheduler(scheduler)


def test_a_misfire_inside_the_grace_runs_once(
    store: Engine, running: list[SchedulerService]
) -> None:
    events = Events()
    # missed by 35 s with a 10 s interval: four fire times missed, all inside the grace
    spec = JobSpec("late", RECORD, {"n": 2}, interval_seconds=10, misfire_grace_seconds=60)
    _store_with_missed_job(store, spec, missed_by=35)
    start(running, service(store, [spec], events))
    assert events.wait(EVENT_JOB_EXECUTED, "late")
    assert events.wait(EVENT_JOB_SUBMITTED, "late")  # dispatched after the processing pass
    assert events.count(EVENT_JOB_SUBMITTED, "late") == 1
    assert events.count(EVENT_JOB_EXECUTED, "late") == 1
    assert jobs_support.CALLS == [{"n": 2}]
    next_run = next_run_times(store)["late"]
    assert next_run is not None
    assert next_run > datetime.now(UTC)


def test_a_misfire_beyond_the_grace_is_skipped(
    store: Engine, running: list[SchedulerService]
) -> None:
    events = Events()
    spec = JobSpec("stale", RECORD, {}, interval_seconds=3600, misfire_grace_seconds=60)
    _store_with_missed_job(store, spec, missed_by=120)
    start(running, service(store, [spec], events))
    assert events.wait(EVENT_JOB_MISSED, "stale")
    assert jobs_support.CALLS == []


def test_pause_and_resume_through_the_shared_flags(
    store: Engine, running: list[SchedulerService]
) -> None:
    events = Events()
    spec = JobSpec("p", RECORD, {}, interval_seconds=0.3)
    svc = start(running, service(store, [spec], events))
    assert events.wait(EVENT_JOB_EXECUTED, "p")
    JobFlags(store).set_paused("p", True, by="another process")
    assert svc.wait_polls(2, 5)
    assert next_run_times(store)["p"] is None  # paused in the persistent store too
    executed = events.count(EVENT_JOB_EXECUTED, "p")
    assert svc.wait_polls(8, 5)  # 0.8 s: more than two intervals
    assert events.count(EVENT_JOB_EXECUTED, "p") == executed
    JobFlags(store).set_paused("p", False, by="another process")
    assert events.wait(EVENT_JOB_EXECUTED, "p", count=executed + 1)


def test_reconcile_keeps_unchanged_jobs_and_replaces_changed_ones(store: Engine) -> None:
    scheduler = build_scheduler(store)
    scheduler.start(paused=True)
    try:
        a = JobSpec("a", RECORD, {}, interval_seconds=60)
        b = JobSpec("b", RECORD, {}, cron="0 9 * * 1-5", timezone="Asia/Shanghai")
        assert reconcile(scheduler, [a, b]) == {"added": ["a", "b"], "changed": [], "removed": []}
        kept = datetime.now(UTC) + timedelta(seconds=7)
        scheduler.modify_job("a", next_run_time=kept)
        changed = JobSpec("b", RECORD, {"x": 1}, cron="0 9 * * 1-5", timezone="Asia/Shanghai")
        report = reconcile(scheduler, [a, changed])
        assert report == {"added": [], "changed": ["b"], "removed": []}
        assert next_run_times(store)["a"] == kept.replace(microsecond=kept.microsecond)
        assert reconcile(scheduler, [changed]) == {"added": [], "changed": [], "removed": ["a"]}
    finally:
        stop_scheduler(scheduler)


def test_a_follower_takes_over_when_the_leader_stops_renewing(
    store: Engine, running: list[SchedulerService]
) -> None:
    events = Events()
    spec = JobSpec("tick", RECORD, {}, interval_seconds=0.3)
    leader = start(running, service(store, [spec], events, owner="sched-a"))
    follower = service(store, [spec], events, owner="sched-b")
    running.append(follower.start())
    assert follower.wait_polls(3, 5)
    assert not follower.leading.is_set()
    # the leader "dies": it stops polling and never gives its lease back
    leader.leases = LeaseManager(store, clock=lambda: datetime.now(UTC) - timedelta(days=1))
    leader.stop(timeout=10)
    assert follower.leading.wait(5)
    holder = LeaseManager(store).holder(LEADER_LEASE)
    assert holder is not None
    assert holder.owner == "sched-b"
    seen = events.count(EVENT_JOB_EXECUTED, "tick")
    assert events.wait(EVENT_JOB_EXECUTED, "tick", count=seen + 1)


def test_requests_are_handed_out_once_and_held_while_paused_or_busy(
    store: Engine, running: list[SchedulerService]
) -> None:
    events = Events()
    svc = start(running, service(store, [], events))
    queue = RequestQueue(store)
    JobFlags(store).set_paused("job-x", True)
    held = queue.submit("held", RECORD, {"who": "paused"}, job_id="job-x")
    LeaseManager(store).acquire("busy-lease", "elsewhere", 30)
    busy = queue.submit("busy", RECORD, {"who": "busy"}, lease="busy-lease")
    queue.submit("free", RECORD, {"who": "free"})
    assert jobs_support.wait_calls(lambda calls: {"who": "free"} in calls)
    assert svc.wait_polls(3, 5)
    assert jobs_support.CALLS == [{"who": "free"}]
    assert {r.id for r in queue.pending()} == {held.id, busy.id}
    JobFlags(store).set_paused("job-x", False)
    assert jobs_support.wait_calls(lambda calls: {"who": "paused"} in calls)
    assert [r.id for r in queue.pending()] == [busy.id]


class _FlakyBroker:
    """A dispatcher whose first send fails, as when the broker is briefly away."""

    def __init__(self) -> None:
        self.sent: list[dict[str, object]] = []
        self.failures = 1

    def dispatch(self, target: str, kwargs: dict[str, object]) -> str:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("broker unreachable")
        self.sent.append(kwargs)
        return "queued"


def test_a_request_the_broker_refused_is_queued_again(
    store: Engine, running: list[SchedulerService]
) -> None:
    broker = _FlakyBroker()
    svc = SchedulerService(
        LeaseManager(store), list, broker, owner="sched-a", lease_seconds=0.9, poll_seconds=0.1
    )
    start(running, svc)
    RequestQueue(store).submit("k", RECORD, {"n": 7})
    assert svc.wait_polls(5, 5)
    assert broker.sent == [{"n": 7}]
    assert RequestQueue(store).pending() == []


def test_a_leader_that_cannot_renew_in_time_steps_down(
    store: Engine, running: list[SchedulerService]
) -> None:
    events = Events()
    svc = start(running, service(store, [JobSpec("t", RECORD, {}, interval_seconds=60)], events))

    def unreachable(*args: object) -> None:
        raise ConnectionError("database unreachable")

    svc.leases.renew = unreachable  # type: ignore[method-assign,assignment]
    svc.leases.try_acquire = unreachable  # type: ignore[method-assign,assignment]
    assert svc.wait_polls(12, 5)  # 1.2 s: past the 0.9 s lease
    assert not svc.leading.is_set()
    assert svc.scheduler is None
