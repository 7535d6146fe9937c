"""The crash-point hook: inert unless armed, counts when asked, dies at the named occurrence."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from hub.sync import crashpoints


@pytest.fixture(autouse=True)
def disarmed() -> Iterator[None]:
    crashpoints.arm(None)
    yield
    crashpoints.arm(None)


def test_unset_means_inert_and_uncounted() -> None:
    for _ in range(5):
        crashpoints.reached("write")
    assert crashpoints.counts() == {}


def test_count_mode_counts_every_stage_and_kills_nothing() -> None:
    crashpoints.arm("count")
    for stage in ("read", "read", "map", "checkpoint"):
        crashpoints.reached(stage)
    assert crashpoints.counts() == {"read": 2, "map": 1, "checkpoint": 1}


@pytest.mark.parametrize("spec", ["write", "write:0", "flush:1", "read:two", "read:1,"])
def test_a_bad_plan_names_the_variable_and_the_syntax(spec: str) -> None:
    with pytest.raises(ValueError, match=r"SYNCHUB_CRASH_AT=.*stage:occurrence"):
        crashpoints.arm(spec)


def _reach(stages: list[str]) -> None:
    crashpoints.arm("map:2,write:1")
    for stage in stages:
        crashpoints.reached(stage)


@pytest.mark.parametrize(
    ("stages", "exitcode"),
    [
        (["map", "read", "checkpoint"], 0),
        (["map", "read", "map", "write"], -signal.SIGKILL),
        (["write"], -signal.SIGKILL),
    ],
)
def test_the_named_occurrence_kills_the_process_outright(stages: list[str], exitcode: int) -> None:
    child = multiprocessing.get_context("fork").Process(target=_reach, args=(stages,))
    child.start()
    child.join(timeout=30)
    assert child.exitcode == exitcode


def test_the_environment_arms_a_fresh_process() -> None:
    code = "from hub.sync import crashpoints\nfor _ in range(3): crashpoints.reached('read')\nprint('survived')"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, crashpoints.ENV: "read:3"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL
    assert "survived" not in done.stdout
