"""Job specs, crontab lines and targets by reference: the parts that need no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jobs.celery_app import TASK, CeleryDispatcher, make_celery
from jobs.references import BadReference, call, check_arguments, resolve
from jobs.scheduler import JobSpec, cron_trigger


async def _double(x: int) -> int:
    return 2 * x


def test_references_resolve_and_call_sync_and_async_targets() -> None:
    assert resolve("json:dumps") is __import__("json").dumps
    assert call("test_jobs_specs_and_references:_double", {"x": 21}) == 42
    assert call("json:dumps", {"obj": [1, 2]}) == "[1, 2]"


@pytest.mark.parametrize(
    ("reference", "problem"),
    [
        ("json.dumps", "must look like"),
        ("no_such_module_xyz:f", "cannot be resolved"),
        ("json:no_such_name", "cannot be resolved"),
        ("json:__doc__", "not callable"),
    ],
)
def test_bad_references_say_what_is_wrong(reference: str, problem: str) -> None:
    with pytest.raises(BadReference, match=problem):
        resolve(reference)


def test_arguments_must_be_json() -> None:
    assert check_arguments({"a": (1, 2)}) == {"a": [1, 2]}
    with pytest.raises(BadReference, match="must be JSON"):
        check_arguments({"when": datetime.now(UTC)})


def test_a_spec_has_exactly_one_kind_of_trigger() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        JobSpec("x", "m:f")
    with pytest.raises(ValueError, match="exactly one"):
        JobSpec("x", "m:f", interval_seconds=5, cron="* * * * *")


def test_specs_describe_themselves_and_change_fingerprint_with_any_field() -> None:
    every = JobSpec("p", "m:f", {"pipeline": "p"}, interval_seconds=900, timezone="Asia/Shanghai")
    assert every.describe() == "every 15 min (Asia/Shanghai)"
    assert JobSpec("p", "m:f", interval_seconds=7200).describe() == "every 2 h (UTC)"
    assert JobSpec("p", "m:f", interval_seconds=0.6).describe() == "every 0.6 s (UTC)"
    assert JobSpec("p", "m:f", cron="0 2 * * *").describe() == "cron 0 2 * * * (UTC)"
    graced = JobSpec(
        "p",
        "m:f",
        {"pipeline": "p"},
        interval_seconds=900,
        timezone="Asia/Shanghai",
        misfire_grace_seconds=1,
    )
    assert graced.fingerprint() != every.fingerprint()
    assert every.job_name() == f"p#{every.fingerprint()}"


def test_cron_weekdays_count_from_sunday_as_in_crontab() -> None:
    # 2026-12-04 is a Friday; "0 9 * * 0" (Sunday in crontab) must fire on Sunday the 6th
    start = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    sunday = cron_trigger("0 9 * * 0", "Asia/Shanghai").get_next_fire_time(None, start)
    assert sunday is not None
    assert (sunday.strftime("%A"), sunday.hour) == ("Sunday", 9)
    workdays = cron_trigger("30 8 * * 1-5", "Asia/Shanghai").get_next_fire_time(None, start)
    assert workdays is not None
    assert workdays.strftime("%A %H:%M") == "Monday 08:30"
    quarter = cron_trigger("*/15 * * * *", "UTC").get_next_fire_time(None, start)
    assert quarter == datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("line", ["0 9 * *", "61 * * * *", "0 9 * * funday"])
def test_bad_cron_lines_are_refused(line: str) -> None:
    with pytest.raises(ValueError, match="cron"):
        cron_trigger(line, "UTC")


def test_the_celery_app_is_json_only_prefixed_and_acks_on_start() -> None:
    app = make_celery("redis://127.0.0.1:6379/9", queue="q-test", key_prefix="t1:")
    conf = app.conf
    assert conf.task_default_queue == "q-test"
    assert conf.broker_transport_options["global_keyprefix"] == "t1:"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is False
    assert conf.worker_prefetch_multiplier == 1
    assert TASK in app.tasks
    assert CeleryDispatcher(app).queue == "q-test"
