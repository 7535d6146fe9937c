"""Stores with the jobs tables, and a clean slate of test targets per test."""

from __future__ import annotations

from collections.abc import Iterator

import jobs_support
import pytest
from sqlalchemy import Engine

from jobs.schema import ensure_schema


@pytest.fixture
def store(any_engine: Engine) -> Engine:
    """SQLite or PostgreSQL with the jobs tables created by ``ensure_schema``."""
    ensure_schema(any_engine)
    return any_engine


@pytest.fixture(autouse=True)
def clean_targets() -> Iterator[None]:
    jobs_support.reset()
    yield
    for gate in list(jobs_support.GATES.values()):
        gate.set()
