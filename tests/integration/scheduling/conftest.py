"""A Zoho CRM sandbox on a real socket and an upgraded SQLite store per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from connectors.sdk.sandbox import SandboxServer
from connectors.zoho_crm.sandbox import ZohoCrmSandbox
from hub.store import make_engine, upgrade


@pytest.fixture
def zoho() -> Iterator[SandboxServer]:
    """Five companies' accounts (and their contacts, contracts...)."""
    with SandboxServer(ZohoCrmSandbox(seed=3, companies=5)) as server:
        yield server


@pytest.fixture
def hub_store(sqlite_url: str) -> Iterator[Engine]:
    """A migrated SQLite store."""
    engine = make_engine(sqlite_url)
    upgrade(engine)
    yield engine
    engine.dispose()
