"""End-to-end fixtures: the demo's two sandboxes (Zoho CRM, Kingdee) and a hub store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import Hub

from hub.demo.run import start


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    """The demo's sandboxes with a small seeded business, and a fresh store."""
    demo = start(tmp_path / "demo", seed=7, companies=24)
    deployment = Hub(demo, tmp_path)
    yield deployment
    deployment.close()
