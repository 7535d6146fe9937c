"""One measured run in a fresh process: ``python -m bench.worker '<task json>'``.

A fresh process per run makes peak RSS (``ru_maxrss``) and CPU time belong to
that run alone. The task names a client function (``bench.clients.<module>:
<function>``) and its keyword arguments; the function returns its own figures
(records, requests...), and the worker adds wall time, CPU time and peak RSS of
the measured part, then prints one JSON line.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _profiler(path: str) -> Any:
    """A started profiler: pyinstrument (``*.txt``) or cProfile (``*.pstats``)."""
    if path.endswith(".pstats"):
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
        profile.stop = lambda: (profile.disable(), profile.dump_stats(path))  # type: ignore[attr-defined]
        return profile
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001, async_mode="enabled")
    profiler.start()
    profiler.stop_ = profiler.stop
    profiler.stop = lambda: (  # type: ignore[method-assign]
        profiler.stop_(),
        Path(path).write_text(profiler.output_text(unicode=True, show_all=False)),
    )
    return profiler


def main(argv: list[str]) -> int:
    task = json.loads(argv[1])
    module, _, name = task["client"].partition(":")
    fn = getattr(importlib.import_module(f"bench.clients.{module}"), name)
    prepare = getattr(fn, "prepare", None)
    state = prepare(**task["args"]) if prepare else None
    kwargs = dict(task["args"], **({"state": state} if state is not None else {}))
    profile = task.get("profile")
    profiler = _profiler(profile) if profile else None
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = fn(**kwargs)
    if inspect.isawaitable(result):
        result = asyncio.run(result)
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    if profiler is not None:
        profiler.stop()
    figures: dict[str, Any] = dict(result or {})
    figures.update(
        wall_s=wall,
        cpu_s=cpu,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    print(json.dumps(figures, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
