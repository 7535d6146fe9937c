"""A U8 OpenAPI sandbox on a real socket and a connector pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from connectors.sdk.sandbox import SandboxServer
from connectors.yonyou_u8 import YonyouU8Connector
from connectors.yonyou_u8.sandbox import YonyouU8Sandbox

MakeConnector = Callable[..., YonyouU8Connector]


async def no_sleep(seconds: float) -> None:
    """Polls and backoff run at once; what is tested is the number of tries."""
    del seconds


@pytest.fixture
def sandbox_options() -> dict[str, Any]:
    """Constructor options of the sandbox."""
    return {}


@pytest.fixture
def server(sandbox_options: dict[str, Any]) -> Iterator[SandboxServer]:
    """A running sandbox with eight seeded companies."""
    with SandboxServer(YonyouU8Sandbox(companies=8, **sandbox_options)) as running:
        yield running


@pytest.fixture
def sandbox(server: SandboxServer) -> YonyouU8Sandbox:
    """The sandbox behind ``server``."""
    assert isinstance(server.sandbox, YonyouU8Sandbox)
    return server.sandbox


@pytest.fixture
def make_connector(server: SandboxServer) -> MakeConnector:
    """Build connectors for ``server`` with config overrides (the test closes them)."""

    def make(**overrides: Any) -> YonyouU8Connector:
        return YonyouU8Connector({**server.connector_config(), **overrides}, sleep=no_sleep)

    return make


@pytest.fixture
async def connector(make_connector: MakeConnector) -> AsyncIterator[YonyouU8Connector]:
    """A connector for the sandbox."""
    instance = make_connector()
    yield instance
    await instance.aclose()
