"""``synchub sandbox zoho-crm --port N --json``: one JSON line first, then it serves."""

from __future__ import annotations

import asyncio

from sandbox_cli import free_port, served

from connectors.sdk import Page
from connectors.zoho_crm import ZohoCrmConnector


async def read_accounts(config: dict[str, str]) -> list[Page]:
    async with ZohoCrmConnector(config) as connector:
        return [page async for page in connector.read("accounts")]


def test_cli_sandbox_prints_credentials_then_serves_the_connector() -> None:
    port = free_port()
    with served("zoho-crm", port=port) as (_, info):
        assert set(info) == {
            "base_url",
            "accounts_url",
            "client_id",
            "client_secret",
            "refresh_token",
        }
        assert info["base_url"] == f"http://127.0.0.1:{port}"
        config = {
            "data_centre": "cn",
            "accounts_url": info["accounts_url"],
            "client_id": info["client_id"],
            "client_secret": info["client_secret"],
            "refresh_token": info["refresh_token"],
        }
        pages = asyncio.run(read_accounts(config))
        assert sum(len(p.records) for p in pages) == 20
        assert pages[-1].complete
