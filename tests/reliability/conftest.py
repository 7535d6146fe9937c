"""Fixtures of the reliability suites: the SQLite template, fault-free references, results.

Every scenario's fault-free run is made once per session and kept as a
``Snapshot``; each fault or crash test compares what it ends with against it.
Results go to ``test-artifacts/reliability/`` as JSON, and when a session ran
the whole fault matrix and crash suite without a failure, the tables in
``docs/reliability.md`` are rendered from them (``reliability_report``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from reliability_refs import References
from reliability_report import render_if_complete
from reliability_scenarios import Deployment, SqliteTemplate


@pytest.fixture(autouse=True, scope="session")
def cheap_tls_contexts() -> Iterator[None]:
    """httpx loads certifi's whole bundle (50 ms) for every client it builds, even for the
    sandboxes' plain HTTP; a CA directory is read lazily instead. Nothing here uses TLS."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SSL_CERT_DIR", "/etc/ssl/certs")
        yield


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
def deployed() -> Iterator[list[Deployment]]:
    """Deployments a test starts, closed after it whatever happens."""
    started: list[Deployment] = []
    yield started
    for deployment in started:
        deployment.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Render docs/reliability.md's tables when this session produced every result."""
    if exitstatus == 0:
        render_if_complete()
