"""Background sync in one process (``synchub serve``): on schedule, overruns, misfires, pause."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES
from scheduling_support import Events, assert_no_overlap, hub_settings, runs
from sqlalchemy import Engine

from connectors.sdk.sandbox import SandboxServer
from hub.scheduling.control import SchedulerControl, UnknownPipeline
from hub.scheduling.inprocess import SchedulerHandle, start_in_process
from hub.scheduling.specs import all_specs
from hub.settings import Settings
from jobs.scheduler import build_scheduler, next_run_times, reconcile, stop_scheduler

EVERY_HALF_SECOND = {"interval_minutes": 0.5 / 60}


@pytest.fixture
def handles() -> Iterator[list[SchedulerHandle]]:
    started: list[SchedulerHandle] = []
    yield started
    for handle in started:
        handle.stop()


def start(
    handles: list[SchedulerHandle], settings: Settings, engine: Engine, events: Events
) -> SchedulerHandle:
    handle = start_in_process(settings, engine, listeners=[events])
    handles.append(handle)
    assert handle.service.leading.wait(10)
    return handle


def test_a_pipeline_runs_on_schedule(
    zoho: SandboxServer, hub_store: Engine, sqlite_url: str, handles: list[SchedulerHandle]
) -> None:
    settings = hub_settings(sqlite_url, zoho, schedule=EVERY_HALF_SECOND)
    events = Events()
    handle = start(handles, settings, hub_store, events)
    assert events.wait(EVENT_JOB_EXECUTED, "pipeline:p", count=2)
    results = [e.retval for e in events.matching(EVENT_JOB_EXECUTED, "pipeline:p")]
    assert [r["status"] for r in results[:2]] == ["succeeded", "succeeded"]
    done = runs(hub_store)
    assert {r["trigger"] for r in done} == {"schedule"}
    assert all(r["holder"].startswith("serve@") for r in done)
    assert done[0]["counts"]["crm.accounts"]["created"] == 5
    status = SchedulerControl(settings, hub_store).jobs()[0]
    assert status.schedule == "every 0.5 s (Asia/Shanghai)"
    assert status.next_run_at is not None
    assert status.last_run is not None
    assert status.last_run["trigger"] == "schedule"
    assert SchedulerControl(settings, hub_store).leader().owner == handle.owner  # type: ignore[union-attr]


def test_an_overrun_does_not_start_a_second_instance(
    zoho: SandboxServer, hub_store: Engine, sqlite_url: str, handles: list[SchedulerHandle]
) -> None:
    zoho.sandbox.faults.latency = 0.3  # a run (token, list, list) takes about a second
    settings = hub_settings(sqlite_url, zoho, schedule={"interval_minutes": 0.2 / 60})
    events = Events()
    start(handles, settings, hub_store, events)
    assert events.wait(EVENT_JOB_MAX_INSTANCES, "pipeline:p", count=2)
    assert events.wait(EVENT_JOB_EXECUTED, "pipeline:p", count=2)
    handles.pop().stop()
    done = runs(hub_store)
    assert len(done) >= 2
    assert_no_overlap(done)


def test_a_misfire_inside_the_grace_runs_once(
    zoho: SandboxServer, hub_store: Engine, sqlite_url: str, handles: list[SchedulerHandle]
) -> None:
    settings = hub_settings(
        sqlite_url, zoho, schedule={"interval_minutes": 60, "misfire_grace_seconds": 300}
    )
    # the scheduler was down when the pipeline was due 100 s ago
    scheduler = build_scheduler(hub_store)
    scheduler.start(paused=True)
    reconcile(scheduler, all_specs(settings))
    scheduler.modify_job("pipeline:p", next_run_time=datetime.now(UTC) - timedelta(seconds=100))
    stop_scheduler(scheduler)
    events = Events()
    start(handles, settings, hub_store, events)
    assert events.wait(EVENT_JOB_EXECUTED, "pipeline:p")
    assert [r["trigger"] for r in runs(hub_store)] == ["schedule"]
    upcoming = next_run_times(hub_store)["pipeline:p"]
    assert upcoming is not None
    assert upcoming > datetime.now(UTC) + timedelta(minutes=55)


def test_pause_and_resume(
    zoho: SandboxServer, hub_store: Engine, sqlite_url: str, handles: list[SchedulerHandle]
) -> None:
    settings = hub_settings(sqlite_url, zoho, schedule=EVERY_HALF_SECOND)
    events = Events()
    handle = start(handles, settings, hub_store, events)
    control = SchedulerControl(settings, hub_store)
    assert events.wait(EVENT_JOB_EXECUTED, "pipeline:p")
    control.pause("p", by="tester")
    assert handle.service.wait_polls(3, 5)
    status = control.jobs()[0]
    assert (status.paused, status.next_run_at) == (True, None)
    assert next_run_times(hub_store)["pipeline:p"] is None
    before = len(runs(hub_store))
    assert handle.service.wait_polls(15, 10)  # 1.5 s: three fire times would have come
    assert len(runs(hub_store)) == before
    control.resume("p", by="tester")
    assert events.wait(
        EVENT_JOB_EXECUTED,
        "pipeline:p",
        count=len(events.matching(EVENT_JOB_EXECUTED, "pipeline:p")) + 1,
    )
    assert len(runs(hub_store)) > before
    assert control.jobs()[0].paused is False
    with pytest.raises(UnknownPipeline, match="configured: p"):
        control.pause("nope")


def test_trigger_runs_a_manual_pipeline_now_even_while_paused(
    zoho: SandboxServer, hub_store: Engine, sqlite_url: str, handles: list[SchedulerHandle]
) -> None:
    settings = hub_settings(sqlite_url, zoho)  # no schedule: manual only
    events = Events()
    handle = start(handles, settings, hub_store, events)
    control = SchedulerControl(settings, hub_store)
    assert control.jobs()[0].schedule == "manual only"
    control.pause("p")
    text = control.trigger("p", by="tester")
    assert "queued" in text
    assert handle.owner in text
    assert events.wait(EVENT_JOB_EXECUTED, "request:")
    (run,) = runs(hub_store)
    assert (run["trigger"], run["status"]) == ("manual", "succeeded")
