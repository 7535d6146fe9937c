"""Targets the jobs tests schedule by reference, and a collector of scheduler events."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apscheduler.events import SchedulerEvent

_lock = threading.Condition()
CALLS: list[dict[str, Any]] = []
GATES: dict[str, threading.Event] = {}
RUNNING: dict[str, int] = {}
OVERLAPS: list[str] = []


def reset() -> None:
    with _lock:
        CALLS.clear()
        GATES.clear()
        RUNNING.clear()
        OVERLAPS.clear()


def record(**kwargs: Any) -> dict[str, Any]:
    """A target that notes its call."""
    with _lock:
        CALLS.append(kwargs)
        _lock.notify_all()
    return kwargs


def gated(name: str) -> str:
    """A target that runs until the test opens its gate (an overrun on demand)."""
    with _lock:
        RUNNING[name] = RUNNING.get(name, 0) + 1
        if RUNNING[name] > 1:
            OVERLAPS.append(name)
        CALLS.append({"gated": name})
        gate = GATES.setdefault(name, threading.Event())
        _lock.notify_all()
    try:
        gate.wait(timeout=20)
    finally:
        with _lock:
            RUNNING[name] -= 1
    return name


def wait_calls(predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 10) -> bool:
    with _lock:
        return _lock.wait_for(lambda: predicate(CALLS), timeout)


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

    def count(self, code: int, job_id: str | None = None) -> int:
        with self._cond:
            return sum(1 for e in self.seen if e.code == code and job_id in (None, e.job_id))

    def wait(
        self, code: int, job_id: str | None = None, count: int = 1, timeout: float = 15
    ) -> bool:
        with self._cond:
            return self._cond.wait_for(
                lambda: (
                    sum(1 for e in self.seen if e.code == code and job_id in (None, e.job_id))
                    >= count
                ),
                timeout,
            )
