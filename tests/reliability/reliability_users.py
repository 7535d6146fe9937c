"""People editing Zoho CRM and Kingdee over each vendor's own API while the hub syncs.

``Editors`` runs edits on a thread of its own: a sandbox hook (which runs on
that sandbox's server thread) hands an edit of the *other* system over and
waits for it to finish, so the edit lands at an exact moment of the run without
the hook ever calling the server it is blocking.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future


class Editors:
    """A thread that makes edits handed to it and reports when each is done."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], None], Future[None]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="editors", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            edit, done = job
            try:
                edit()
            except BaseException as exc:  # reported to the waiting hook, then the test
                done.set_exception(exc)
            else:
                done.set_result(None)

    def now(self, edit: Callable[[], None], timeout: float = 60.0) -> None:
        """Make ``edit`` on the editors' thread and wait until it is done."""
        done: Future[None] = Future()
        self._jobs.put((edit, done))
        done.result(timeout=timeout)

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=10)
