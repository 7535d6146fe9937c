"""Sandbox answers leave at once: connections accepted by ``SandboxServer`` have Nagle off.

uvicorn (h11) writes a response's headers and body in two sends; on a connection
with Nagle's algorithm the body then waits for the client's delayed ACK, about
40 ms per request, which made every sandbox call in the suite and the demo slow.
"""

from __future__ import annotations

import socket

import httpx
from sdk_support import EchoSandbox

from connectors.sdk.sandbox import SandboxServer


def test_accepted_connections_have_nagle_switched_off() -> None:
    with SandboxServer(EchoSandbox()) as server, httpx.Client(base_url=server.url) as client:
        assert client.get("/items").json()["items"]  # the connection stays open (keep-alive)
        connections = list(server.server.server_state.connections)
        assert len(connections) == 1
        accepted: socket.socket = connections[0].transport.get_extra_info("socket")
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
