"""Helpers of the ZenTao integration tests: plain HTTP to the sandbox, and connectors on it."""

from __future__ import annotations

from typing import Any

import httpx

from connectors.sdk.sandbox import SandboxServer
from connectors.zentao import ZentaoConnector


async def _no_sleep(seconds: float) -> None:
    return None


def make_connector(server: SandboxServer, **overrides: Any) -> ZentaoConnector:
    """A connector on the sandbox that never really sleeps between retries."""
    config = {**server.connector_config(), **overrides}
    return ZentaoConnector(config, sleep=_no_sleep)


class Raw:
    """Plain HTTP to the sandbox, for wire-protocol tests."""

    def __init__(self, server: SandboxServer) -> None:
        self.creds = server.credentials()
        self.api = f"{self.creds['base_url']}/api.php/v1"
        self.http = httpx.Client(timeout=10)

    def login(self, password: str | None = None, account: str | None = None) -> httpx.Response:
        body = {
            "account": account or self.creds["account"],
            "password": self.creds["password"] if password is None else password,
        }
        return self.http.post(f"{self.api}/tokens", json=body)

    def token(self) -> str:
        response = self.login()
        assert response.status_code == 201, response.text
        return str(response.json()["token"])

    def call(self, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Token": token} if token else {}
        return self.http.request(method, f"{self.api}{path}", headers=headers, **kw)
