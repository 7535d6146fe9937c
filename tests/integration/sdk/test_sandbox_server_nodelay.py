"""Sandbox answers leave at once: connections accepted by ``SandboxServer`` have Nagle off.

uvicorn (h11) writes a response's headers and body in two sends; on a connection
with Nagle's algorithm the body then waits for the client's delayed ACK, about
40 ms per request, which made every sandbox call in the suite and the demo slow.
"""

from __future__ import annotations

import socket
from typing import Any

import httpx

from connectors.sdk.sandbox import ASGIApp, Receive, Sandbox, SandboxServer, Scope, Send


class PingSandbox(Sandbox):
    """A vendor that answers ``{}`` in two sends, as h11 does for every answer."""

    name = "ping"

    def build_app(self) -> ASGIApp:
        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            headers = [(b"content-type", b"application/json"), (b"content-length", b"2")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b"{}"})

        return app

    def credentials(self, base_url: str) -> dict[str, Any]:
        return {"base_url": base_url}

    def connector_config(self, base_url: str) -> dict[str, Any]:
        return {"base_url": base_url}

    def reset(self, stream: str, count: int) -> list[str]:
        return []

    def remote_ids(self, stream: str) -> set[str]:
        return set()

    def get_record(self, stream: str, remote_id: str) -> dict[str, Any] | None:
        return None

    def touch(self, stream: str, remote_ids: list[str]) -> None:
        return None

    def delete(self, stream: str, remote_ids: list[str]) -> None:
        return None

    def expire_credentials(self) -> None:
        return None

    def sample_record(self, stream: str, n: int) -> dict[str, Any]:
        return {}

    def invalid_record(self, stream: str) -> tuple[dict[str, Any], str]:
        return {}, ""


def test_accepted_connections_have_nagle_switched_off() -> None:
    with SandboxServer(PingSandbox()) as server, httpx.Client(base_url=server.url) as client:
        assert client.get("/").json() == {}  # the connection stays open (keep-alive)
        connections = list(server.server.server_state.connections)
        assert len(connections) == 1
        accepted: socket.socket = connections[0].transport.get_extra_info("socket")
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
