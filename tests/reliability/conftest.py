"""Fixtures of the reliability suites: the SQLite template, fault-free references, results.

Every scenario's fault-free run is made once per session and kept as a
``Snapshot``; each fault or crash test compares what it ends with against it.
Results go to ``test-artifacts/reliability/`` as JSON, and when a session ran
the whole fault matrix and crash suite without a failure, the tables in
``docs/reliability.md`` are rendered from them (``reliability_report``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reliability_refs import References
from reliability_report import render_if_complete
from reliability_scenarios import Deployment, SqliteTemplate
from sqlalchemy import Engine

from hub.store import make_engine, upgrade

PG_URL = os.environ.get("SYNCHUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def cheap_tls_contexts(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx loads certifi's whole bundle (50 ms) for every client it builds, even for the
    sandboxes' plain HTTP; a CA directory is read lazily instead. Nothing here uses TLS."""
    monkeypatch.setenv("SSL_CERT_DIR", "/etc/ssl/certs")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    """An upgraded empty SQLite store, copied for each deployment."""
    return SqliteTemplate(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def references(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: SqliteTemplate
) -> References:
    """The session's fault-free references, by scenario name."""
    return References(tmp_path_factory.mktemp("references"), sqlite_template)


@pytest.fixture
def pg_store(pg_schema: str) -> Callable[[Path], tuple[str, Engine]]:
    """A store for ``deploy``: the test's private PostgreSQL schema, upgraded, named in the
    database URL so processes the test starts use it too."""

    def make(folder: Path) -> tuple[str, Engine]:
        url = f"{PG_URL}?options=-csearch_path%3D{pg_schema}"
        engine = make_engine(url)
        upgrade(engine)
        return url, engine

    return make


@pytest.fixture
def deployed() -> Iterator[list[Deployment]]:
    """Deployments a test starts, closed after it whatever happens."""
    started: list[Deployment] = []
    yield started
    for deployment in started:
        deployment.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Render docs/reliability.md's tables when this session produced every result."""
    render_if_complete()
