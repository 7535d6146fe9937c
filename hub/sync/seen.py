"""The remote ids a full read saw, kept in a temporary file instead of memory.

A deletion sweep after a complete full read needs every remote id the read
returned, to compare with every link. Held as a Python set (about 100 bytes an
id) beside a list of every link as a dict (about 500 bytes a link), a full pull
of 10^6 records spent some 600 MB on it; peak memory grew with the data set.
The ids go to a temporary SQLite file instead, page by page, and the sweep
streams the links in batches and asks the file which it never saw, so memory
stays flat at any size for about 1 us an id.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

BATCH = 500  # ids per IN (...) query


class SeenIds:
    """A set of remote ids on disk (see module docstring); use as a context manager."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="synchub-seen-")
        self._db = sqlite3.connect(Path(self._dir.name) / "seen.db")
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE seen (id TEXT PRIMARY KEY) WITHOUT ROWID")

    def update(self, ids: Iterable[str]) -> None:
        """Note these ids as seen."""
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?)", ((i,) for i in ids))

    def missing(self, ids: Sequence[str]) -> list[str]:
        """Those of ``ids`` that were never noted, in their order."""
        found: set[str] = set()
        for start in range(0, len(ids), BATCH):
            chunk = list(ids[start : start + BATCH])
            marks = ",".join("?" * len(chunk))
            query = f"SELECT id FROM seen WHERE id IN ({marks})"  # noqa: S608 (placeholders only)
            found.update(row[0] for row in self._db.execute(query, chunk))
        return [i for i in ids if i not in found]

    def close(self) -> None:
        """Remove the file."""
        self._db.close()
        self._dir.cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
