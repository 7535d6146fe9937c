"""Named crash points, so the crash suite can kill a sync at an exact stage.

The sync engine calls ``reached(stage)`` at a few boundaries: ``read`` (a page
arrived from the vendor, nothing stored yet), ``map`` (a page mapped and matched,
its transaction still open), ``write`` (the vendor answered a write batch, the
hub has not recorded it) and ``checkpoint`` (a page or batch committed with its
cursor). When ``SYNCHUB_CRASH_AT`` names a stage and an occurrence, for example
``write:3``, the process sends itself SIGKILL the third time it reaches a write
point: no ``finally`` block, no atexit handler, no flush, as when the machine
loses power or the OOM killer strikes. Several points may be listed
(``read:2,write:1``); the first reached wins.

Unset (always, outside the crash suite) ``reached`` returns after one global
look-up. ``SYNCHUB_CRASH_AT=count`` kills nothing and only counts, so a test can
learn how many points of each stage a run passes and draw its kill points.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "SYNCHUB_CRASH_AT"
STAGES = ("read", "map", "write", "checkpoint")

_plan: dict[str, int] | None = None
_counts: Counter[str] = Counter()


def arm(spec: str | None) -> None:
    """Set the plan from ``spec`` (the env var's syntax; ``None`` or empty disarms) and reset counts."""
    global _plan
    _counts.clear()
    _plan = _parse(spec) if spec else None


def reached(stage: str) -> None:
    """The sync reached a ``stage`` point: count it, and die here if the plan says so."""
    if _plan is None:
        return
    _counts[stage] += 1
    if _plan.get(stage) == _counts[stage]:
        os.kill(os.getpid(), signal.SIGKILL)


def counts() -> dict[str, int]:
    """Points reached per stage since the plan was armed."""
    return dict(_counts)


def _parse(spec: str) -> dict[str, int]:
    if spec.strip() == "count":
        return {}
    plan: dict[str, int] = {}
    for item in spec.split(","):
        stage, _, nth = item.strip().partition(":")
        if stage not in STAGES or not nth.isdigit() or int(nth) < 1:
            raise ValueError(
                f"{ENV}={spec!r}: expected stage:occurrence[,...] with a stage out of "
                f"{', '.join(STAGES)} and an occurrence from 1, or 'count'"
            )
        plan[stage] = int(nth)
    return plan


arm(os.environ.get(ENV))
