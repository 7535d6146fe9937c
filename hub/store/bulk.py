"""Bulk inserts that skip SQLAlchemy's per-row parameter machinery on SQLite.

A full pull inserts three rows per record (the canonical row, its link, its
change-log entry). Through ``conn.execute(insert(table), rows)`` SQLAlchemy
compiles, then walks every row and every column in Python to build parameters:
profiling a 20,000-account pull put a fifth of its time there. Here the
statement is compiled once per (table, columns), each column's bind processor
(the same one SQLAlchemy would apply: JSON serialiser, UTC datetimes, money as
hundredths) is looked up once, and rows go to the driver's ``executemany`` as
tuples. Column defaults that SQLAlchemy would fill in on the Python side are
filled in the same way.

PostgreSQL keeps SQLAlchemy's own path: its "insertmanyvalues" batching into
multi-row VALUES is what makes inserts fast there, and it is not worth copying.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert

_Processor = Callable[[Any], Any] | None
_NOTHING = object()


class _Plan:
    """One compiled INSERT for a table and a set of supplied columns."""

    def __init__(self, table: Table, keys: tuple[str, ...], dialect: Dialect) -> None:
        defaults: dict[str, Callable[[], Any]] = {}
        for column in table.columns:
            default = column.default
            if column.key in keys or default is None:
                continue
            defaults[column.key] = _default_maker(table, column.key, default)
        self.keys = keys
        self.defaults = tuple(defaults.items())
        compiled = insert(table).compile(dialect=dialect, column_keys=[*keys, *defaults])
        if not compiled.positional or compiled.positiontup is None:
            raise _Unsupported(f"{dialect.name} is not a positional paramstyle")
        self.sql = compiled.string
        self.order = tuple(compiled.positiontup)
        processors: list[_Processor] = []
        for name in self.order:
            column_type = table.c[compiled.binds[name].key].type
            processors.append(column_type.dialect_impl(dialect).bind_processor(dialect))
        self.processors = tuple(processors)

    def parameters(self, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        order, processors, defaults = self.order, self.processors, self.defaults
        # A page's rows share many values (one ``now`` for every timestamp): a value that is
        # the very object the previous row had is processed once. Nothing mutates the rows
        # during this call, so reusing the previous result is exact.
        last_in: list[Any] = [_NOTHING] * len(order)
        last_out: list[Any] = [None] * len(order)
        result = []
        for given in rows:
            row = {**given, **{key: make() for key, make in defaults}} if defaults else given
            values = []
            for i, name in enumerate(order):
                value = row[name]
                process = processors[i]
                if process is None:
                    values.append(value)
                elif value is last_in[i]:
                    values.append(last_out[i])
                else:
                    last_in[i], last_out[i] = value, process(value)
                    values.append(last_out[i])
            result.append(tuple(values))
        return result


def _default_maker(table: Table, key: str, default: Any) -> Callable[[], Any]:
    """What SQLAlchemy would put in an omitted column, as a zero-argument function."""
    if getattr(default, "is_scalar", False):
        value = default.arg

        def scalar() -> Any:
            return value

        return scalar
    if getattr(default, "is_callable", False):
        call = default.arg  # SQLAlchemy wraps zero-argument callables to take a context

        def computed() -> Any:
            return call(None)

        return computed
    raise _Unsupported(f"{table.name}.{key}: default {default!r}")


class _Unsupported(Exception):
    """The fast path does not cover this table; SQLAlchemy's own path is used instead."""


@lru_cache(maxsize=256)
def _plan(table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Plan | None:
    try:
        return _Plan(table, keys, dialect)
    except _Unsupported:
        return None


def insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``conn.execute(insert(table), rows)``, with the rows' parameters built in one pass."""
    if not rows:
        return
    keys = tuple(rows[0])
    plan = (
        _plan(table, keys, conn.dialect)
        if conn.dialect.name == "sqlite" and all(len(r) == len(keys) for r in rows)
        else None
    )
    if plan is None:
        conn.execute(insert(table), list(rows))
        return
    try:
        parameters = plan.parameters(rows)
    except KeyError:  # rows with differing keys: let SQLAlchemy say what is wrong
        conn.execute(insert(table), list(rows))
        return
    conn.exec_driver_sql(plan.sql, parameters)
