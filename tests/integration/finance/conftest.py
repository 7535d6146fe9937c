"""A store holding the hand-computed finance data set, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from finance_dataset import load
from sqlalchemy import Engine


@pytest.fixture
def finance_engine(any_engine: Engine) -> Engine:
    """``any_engine`` with the schema and the finance data set."""
    load(any_engine)
    return any_engine


@pytest.fixture
def finance_sqlite(sqlite_engine: Engine) -> Engine:
    """The data set on SQLite only (for tests that need no second store)."""
    load(sqlite_engine)
    return sqlite_engine
