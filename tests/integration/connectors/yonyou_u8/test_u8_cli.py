"""``synchub sandbox yonyou-u8 --json`` as a user runs it: a subprocess serving real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sandbox_cli import served

from connectors.yonyou_u8 import YonyouU8Connector


@pytest.fixture
def served_sandbox() -> Iterator[dict[str, Any]]:
    with served("yonyou-u8") as (_, credentials):
        yield credentials


async def test_json_line_names_url_and_credentials_and_the_server_answers(
    served_sandbox: dict[str, str],
) -> None:
    assert set(served_sandbox) == {
        "base_url",
        "from_account",
        "to_account",
        "app_key",
        "app_secret",
    }
    assert served_sandbox["base_url"].startswith("http://127.0.0.1:")
    connector = YonyouU8Connector({**served_sandbox, "poll_interval": 0.01})
    result = await connector.check()
    assert result.ok, result.message
    pages = [page async for page in connector.read("customers")]
    assert sum(len(p.records) for p in pages) == 20
    await connector.aclose()
