"""Transactions of a run: one per page normally, one rolled-back transaction in a dry run.

A dry run goes through exactly the same code, writing into a transaction that is
rolled back at the end, so what it reports is what a real run would do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine


class Transactions:
    """Hands out the connection for each unit of work (see module docstring)."""

    def __init__(self, engine: Engine, *, dry_run: bool = False) -> None:
        self.engine = engine
        self.dry_run = dry_run
        self._conn: Connection | None = None
        if dry_run:
            self._conn = engine.connect()
            self._trans = self._conn.begin()

    @contextmanager
    def unit(self) -> Iterator[Connection]:
        """A connection whose work commits when the block ends (or is held for rollback)."""
        if self._conn is not None:
            # No SAVEPOINT per unit: pysqlite starts no transaction before SAVEPOINT, so its
            # RELEASE would commit. A unit that fails aborts the dry run anyway.
            yield self._conn
            return
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        """End the run: a dry run's transaction is rolled back here."""
        if self._conn is not None:
            self._trans.rollback()
            self._conn.close()
            self._conn = None
