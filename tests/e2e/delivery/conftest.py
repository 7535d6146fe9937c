"""Delivery fixtures: the demo with a project tool (started empty) beside the CRM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import Hub

from hub.demo.run import start


def _hub(tmp_path: Path, delivery: str) -> Iterator[Hub]:
    demo = start(tmp_path / "demo", seed=11, companies=10, delivery=delivery)
    deployment = Hub(demo, tmp_path)
    yield deployment
    deployment.close()


@pytest.fixture(params=["jira", "jira-dc"], ids=["cloud", "dc"])
def jira_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Hub]:
    """Zoho CRM and an empty Jira site (Cloud or Data Center), with the crm-delivery pipeline."""
    yield from _hub(tmp_path, request.param)


@pytest.fixture
def zentao_hub(tmp_path: Path) -> Iterator[Hub]:
    """Zoho CRM and an empty ZenTao, with the crm-delivery pipeline."""
    yield from _hub(tmp_path, "zentao")
