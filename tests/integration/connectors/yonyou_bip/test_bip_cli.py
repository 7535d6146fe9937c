"""``synchub sandbox yonyou-bip --json`` as a user runs it: a subprocess serving real HTTP."""

from __future__ import annotations

import json
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.yonyou_bip import YonyouBipConnector

SYNCHUB = Path(sys.executable).with_name("synchub")


@pytest.fixture
def served() -> Iterator[dict[str, str]]:
    with subprocess.Popen(
        [str(SYNCHUB), "sandbox", "yonyou-bip", "--port", "0", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            ready, _, _ = select.select([process.stdout], [], [], 60)
            assert ready, "the sandbox printed nothing within 60 s"
            yield json.loads(process.stdout.readline())
        finally:
            process.terminate()
            process.wait(timeout=30)


async def test_json_line_names_url_and_credentials_and_the_server_answers(
    served: dict[str, str],
) -> None:
    assert set(served) == {"base_url", "app_key", "app_secret", "tenant_id"}
    assert served["base_url"].startswith("http://127.0.0.1:")
    connector = YonyouBipConnector(
        {
            "discovery_url": served["base_url"],
            "tenant_id": served["tenant_id"],
            "app_key": served["app_key"],
            "app_secret": served["app_secret"],
        }
    )
    result = await connector.check()
    assert result.ok, result.message
    pages = [page async for page in connector.read("customers")]
    assert sum(len(p.records) for p in pages) == 20
    await connector.aclose()
