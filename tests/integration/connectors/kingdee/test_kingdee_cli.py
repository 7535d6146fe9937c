"""``synchub sandbox kingdee --port N --json``: one JSON line first, then it serves."""

from __future__ import annotations

import asyncio
import json
import selectors
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from connectors.kingdee import KingdeeConnector
from connectors.sdk import Page


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


async def read_customers(config: dict[str, Any]) -> list[Page]:
    async with KingdeeConnector(config) as connector:
        return [page async for page in connector.read("customers")]


def test_cli_sandbox_prints_credentials_then_serves_both_auth_styles() -> None:
    port = _free_port()
    synchub = Path(sys.executable).with_name("synchub")
    proc = subprocess.Popen(
        [str(synchub), "sandbox", "kingdee", "--port", str(port), "--json", "-o", "companies=7"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        info = json.loads(_first_line(proc))
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
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
