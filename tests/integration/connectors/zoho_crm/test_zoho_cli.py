"""``synchub sandbox zoho-crm --port N --json``: one JSON line first, then it serves."""

from __future__ import annotations

import asyncio
import json
import selectors
import signal
import socket
import subprocess
import sys
from pathlib import Path

from connectors.sdk import Page
from connectors.zoho_crm import ZohoCrmConnector


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _first_line(proc: subprocess.Popen[str], timeout: float = 30.0) -> str:
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError("the sandbox printed nothing")
    return proc.stdout.readline()


async def read_accounts(config: dict[str, str]) -> list[Page]:
    async with ZohoCrmConnector(config) as connector:
        return [page async for page in connector.read("accounts")]


def test_cli_sandbox_prints_credentials_then_serves_the_connector() -> None:
    port = _free_port()
    synchub = Path(sys.executable).with_name("synchub")
    proc = subprocess.Popen(
        [str(synchub), "sandbox", "zoho-crm", "--port", str(port), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        info = json.loads(_first_line(proc))
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
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
