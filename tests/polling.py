"""Waiting for state that another *process* writes (a database row, a lease).

Within one process a test awaits an event; a subprocess's writes can only be seen by
reading them again. ``wait_for`` re-reads every 0.1 s until the condition holds or the
deadline passes, then fails with what the caller says about the other side (log tails).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

POLL_SECONDS = 0.1


def wait_for(
    condition: Callable[[], Any],
    timeout: float,
    what: str,
    describe: Callable[[], str] = lambda: "",
) -> Any:
    """The first truthy value of ``condition()``, or AssertionError naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"timed out waiting for {what}\n{describe()}")


def log_tail(log: Path, lines: int = 30) -> Callable[[], str]:
    """A ``describe`` for ``wait_for``: the last lines of a subprocess's log."""

    def tail() -> str:
        text = log.read_text(errors="replace") if log.exists() else ""
        return f"--- {log.name} ---\n" + "\n".join(text.splitlines()[-lines:])

    return tail
