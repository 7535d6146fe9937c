"""YonBIP fixtures: the demo with Yonyou YonBIP in place of Kingdee (no project tool)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import Hub

from hub.demo.run import start


@pytest.fixture
def bip_hub(tmp_path: Path) -> Iterator[Hub]:
    """Zoho CRM and YonBIP with the demo's overlapping business, and a fresh store."""
    demo = start(tmp_path / "demo", seed=7, companies=12, finance="yonyou-bip", delivery=None)
    deployment = Hub(demo, tmp_path)
    yield deployment
    deployment.close()
