"""``synchub sandbox kingdee --port N --json``: one JSON line first, then it serves."""

from __future__ import annotations

import asyncio
from typing import Any

from sandbox_cli import free_port, served

from connectors.kingdee import KingdeeConnector
from connectors.sdk import Page


async def read_customers(config: dict[str, Any]) -> list[Page]:
    async with KingdeeConnector(config) as connector:
        return [page async for page in connector.read("customers")]


def test_cli_sandbox_prints_credentials_then_serves_both_auth_styles() -> None:
    port = free_port()
    with served("kingdee", "-o", "companies=7", port=port) as (_, info):
        assert set(info) == {
            "base_url",
            "acct_id",
            "user_name",
            "password",
            "app_id",
            "app_secret",
            "lcid",
        }
        assert info["base_url"] == f"http://127.0.0.1:{port}/k3cloud/"
        common = {k: info[k] for k in ("base_url", "acct_id", "user_name", "lcid")}
        signed = {
            **common,
            "auth": "signed",
            "app_id": info["app_id"],
            "app_secret": info["app_secret"],
        }
        session = {**common, "auth": "session", "login": "password", "password": info["password"]}
        for config in (signed, session):
            pages = asyncio.run(read_customers(config))
            assert sum(len(p.records) for p in pages) == 7
            assert pages[-1].complete
