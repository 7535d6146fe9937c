"""A ZenTao sandbox on a real socket, and connectors pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from zentao_support import Raw, make_connector

from connectors.sdk.sandbox import SandboxServer
from connectors.zentao import ZentaoConnector
from connectors.zentao.sandbox import ZentaoSandbox


@pytest.fixture
def sandbox_options() -> dict[str, Any]:
    """Vendor options of the sandbox (override in a module to switch release quirks)."""
    return {}


@pytest.fixture
def server(sandbox_options: dict[str, Any]) -> Iterator[SandboxServer]:
    """A fresh sandbox (seed 3, eight companies) served on 127.0.0.1."""
    with SandboxServer(ZentaoSandbox(seed=3, companies=8, **sandbox_options)) as running:
        yield running


@pytest.fixture
def sandbox(server: SandboxServer) -> ZentaoSandbox:
    """The sandbox behind ``server``."""
    assert isinstance(server.sandbox, ZentaoSandbox)
    return server.sandbox


@pytest.fixture
async def connector(server: SandboxServer) -> AsyncIterator[ZentaoConnector]:
    """A connector with a small page size, so every list spans several pages."""
    conn = make_connector(server, page_size=7)
    yield conn
    await conn.aclose()


@pytest.fixture
def raw(server: SandboxServer) -> Iterator[Raw]:
    """A plain HTTP client with the sandbox's credentials."""
    client = Raw(server)
    yield client
    client.http.close()
