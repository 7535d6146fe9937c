"""``synchub sandbox yonyou-bip --json`` as a user runs it: a subprocess serving real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sandbox_cli import served

from connectors.yonyou_bip import YonyouBipConnector


@pytest.fixture
def served_sandbox() -> Iterator[dict[str, Any]]:
    with served("yonyou-bip") as (_, credentials):
        yield credentials


async def test_json_line_names_url_and_credentials_and_the_server_answers(
    served_sandbox: dict[str, str],
) -> None:
    assert set(served_sandbox) == {"base_url", "app_key", "app_secret", "tenant_id"}
    assert served_sandbox["base_url"].startswith("http://127.0.0.1:")
    connector = YonyouBipConnector(
        {
            "discovery_url": served_sandbox["base_url"],
            "tenant_id": served_sandbox["tenant_id"],
            "app_key": served_sandbox["app_key"],
            "app_secret": served_sandbox["app_secret"],
        }
    )
    result = await connector.check()
    assert result.ok, result.message
    pages = [page async for page in connector.read("customers")]
    assert sum(len(p.records) for p in pages) == 20
    await connector.aclose()
