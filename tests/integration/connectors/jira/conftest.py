"""A Jira sandbox (Cloud or Data Center) on a real socket, and connectors pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.jira.sandbox import JiraSandbox
from connectors.sdk.sandbox import SandboxServer


@pytest.fixture(params=["cloud", "dc"])
def flavour(request: pytest.FixtureRequest) -> str:
    """Both flavours, one test each."""
    return str(request.param)


@pytest.fixture
def sandbox_options() -> dict[str, Any]:
    """Extra vendor options (override in a module)."""
    return {}


@pytest.fixture
def sandbox(flavour: str, sandbox_options: dict[str, Any]) -> JiraSandbox:
    """A fresh site: seed 5, eight companies rendered as epics and milestone issues."""
    return JiraSandbox(seed=5, companies=8, flavour=flavour, **sandbox_options)  # type: ignore[arg-type]


@pytest.fixture
def server(sandbox: JiraSandbox) -> Iterator[SandboxServer]:
    """The site served on 127.0.0.1."""
    with SandboxServer(sandbox) as running:
        yield running
