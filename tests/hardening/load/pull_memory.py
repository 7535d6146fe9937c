"""One full pull in a process of its own, reporting its peak RSS (run by test_load_memory.py).

``python pull_memory.py SETTINGS_JSON`` builds the settings, migrates the store,
builds the pipeline once so imports and connectors are loaded, notes the peak
resident set so far, runs the pull and prints one JSON line: records read and
created, seconds, the peak before and after (KiB, ``VmHWM`` from
``/proc/self/status``: ``getrusage``'s ``ru_maxrss`` would carry the parent's peak
across fork and exec). A process of its own, so the sandbox serving the records
(in the parent) and the test runner's own memory are not counted.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path


def peak_kib() -> int:
    """This process's peak resident set size so far (KiB)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> None:
    from hub.settings import Settings
    from hub.store import make_engine, upgrade
    from hub.sync.runner import run_pipeline

    settings = Settings(**json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
    engine = make_engine(settings.database_url)
    upgrade(engine)
    before = peak_kib()
    started = time.perf_counter()
    result = asyncio.run(run_pipeline(settings, engine, "pull", full=True))
    seconds = time.perf_counter() - started
    after = peak_kib()
    total = result.total()
    print(
        json.dumps(
            {
                "status": result.status,
                "error": result.error,
                "read": total.read,
                "created": total.created,
                "seconds": round(seconds, 2),
                "peak_before_kib": before,
                "peak_after_kib": after,
            }
        )
    )


if __name__ == "__main__":
    main()
