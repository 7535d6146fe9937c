"""The shared sandbox machinery over real sockets: each fault reaches the client as the
SDK error class that tells it what to do, and the retry policy turns transient ones
into success."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sdk_support import EchoSandbox

from connectors.sdk import HttpClient, HttpOptions, MalformedResponse, RateLimited, TransientError
from connectors.sdk.sandbox import SandboxServer


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(EchoSandbox()) as running:
        yield running


def client(server: SandboxServer, attempts: int = 1, timeout: float = 5.0) -> HttpClient:
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    http = HttpClient(
        connector="echo",
        base_url=server.url,
        options=HttpOptions(max_attempts=attempts, timeout=timeout),
        sleep=no_sleep,
    )
    http.waits = waits  # type: ignore[attr-defined]
    return http


async def test_plain_request_is_counted_by_the_sandbox(server: SandboxServer) -> None:
    http = client(server)
    assert (await http.request("GET", "/items"))["items"][:3] == [0, 1, 2]
    assert server.sandbox.requests[("GET", "/items")] == 1
    assert http.stats.requests == 1
    await http.aclose()


@pytest.mark.parametrize(
    ("kind", "options", "error"),
    [
        ("status", {"status": 503}, TransientError),
        ("rate_limit", {"retry_after": 7}, RateLimited),
        ("non_json", {}, MalformedResponse),
        ("truncate", {}, MalformedResponse),
        ("reset", {}, TransientError),
    ],
)
async def test_each_fault_maps_to_its_error(
    server: SandboxServer, kind: str, options: dict[str, Any], error: type[Exception]
) -> None:
    server.sandbox.faults.inject(kind, **options)  # type: ignore[arg-type]
    http = client(server)
    with pytest.raises(error) as caught:
        await http.request("GET", "/items")
    assert "/items" in str(caught.value)
    if kind == "rate_limit":
        assert caught.value.retry_after == 7  # type: ignore[attr-defined]
    await http.aclose()


async def test_timeout_fault_is_transient(server: SandboxServer) -> None:
    server.sandbox.faults.inject("timeout", seconds=2.0)
    http = client(server, timeout=0.2)
    with pytest.raises(TransientError, match="timed out"):
        await http.request("GET", "/items")
    await http.aclose()


async def test_retry_policy_rides_out_a_burst_of_faults(server: SandboxServer) -> None:
    faults = server.sandbox.faults
    faults.inject("status", status=502)
    faults.inject("reset")
    faults.inject("rate_limit", retry_after=3)
    faults.inject("truncate")
    http = client(server, attempts=6)
    result = await http.request("GET", "/items")
    assert len(result["items"]) == 50
    assert server.sandbox.requests[("GET", "/items")] == 5
    assert http.stats.retries == 4
    assert 3 in http.waits  # type: ignore[attr-defined]
    await http.aclose()


async def test_continuous_rate_limit_refuses_beyond_the_bucket(server: SandboxServer) -> None:
    server.sandbox.faults.rate_limit = 0.001  # one token, refilled every 1000 s
    server.sandbox.faults.rate_burst = 1
    async with httpx.AsyncClient(base_url=server.url) as raw:
        first = await raw.get("/items")
        second = await raw.get("/items")
    assert (first.status_code, second.status_code) == (200, 429)
