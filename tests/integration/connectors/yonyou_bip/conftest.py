"""A YonBIP sandbox on a real socket and a connector pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from connectors.sdk.sandbox import SandboxServer
from connectors.yonyou_bip import YonyouBipConnector
from connectors.yonyou_bip.sandbox import YonyouBipSandbox


async def no_sleep(seconds: float) -> None:
    """Retries and backoff run at once; what is tested is the number of tries."""
    del seconds


@pytest.fixture
def sandbox_options() -> dict[str, Any]:
    """Constructor options of the sandbox (override per test module or with parametrize)."""
    return {}


@pytest.fixture
def server(sandbox_options: dict[str, Any]) -> Iterator[SandboxServer]:
    """A running sandbox with eight seeded companies."""
    with SandboxServer(YonyouBipSandbox(companies=8, **sandbox_options)) as running:
        yield running


@pytest.fixture
def sandbox(server: SandboxServer) -> YonyouBipSandbox:
    """The sandbox behind ``server``."""
    assert isinstance(server.sandbox, YonyouBipSandbox)
    return server.sandbox


MakeConnector = Callable[..., YonyouBipConnector]


@pytest.fixture
def make_connector(server: SandboxServer) -> MakeConnector:
    """Build connectors for ``server`` with config overrides (the test closes them)."""

    def make(**overrides: Any) -> YonyouBipConnector:
        return YonyouBipConnector({**server.connector_config(), **overrides}, sleep=no_sleep)

    return make


@pytest.fixture
async def connector(make_connector: MakeConnector) -> AsyncIterator[YonyouBipConnector]:
    """A connector discovering the sandbox as its data centre."""
    instance = make_connector()
    yield instance
    await instance.aclose()
