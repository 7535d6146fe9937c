"""The SDK retry policy against a respx-mocked endpoint (request shapes only, no sockets)."""

from __future__ import annotations

import httpx
import pytest
import respx

from connectors.sdk import HttpClient, HttpOptions, RetryPolicy, TransientError, VendorError

URL = "https://api.example.com/items"


def make_client(waits: list[float], attempts: int = 6) -> HttpClient:
    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    return HttpClient(
        connector="demo", options=HttpOptions(max_attempts=attempts), sleep=fake_sleep
    )


@respx.mock
async def test_429_then_503_then_200_makes_three_requests_and_honours_retry_after() -> None:
    route = respx.get(URL).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}, json={"code": "TOO_MANY_REQUESTS"}),
            httpx.Response(503, text="busy"),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    waits: list[float] = []
    http = make_client(waits)
    assert await http.request("GET", URL) == {"ok": True}
    assert route.call_count == 3
    assert waits[0] == 7.0  # Retry-After honoured exactly
    policy = RetryPolicy()
    low = policy.initial_backoff * 2 * (1 - policy.jitter)
    high = policy.initial_backoff * 2 * (1 + policy.jitter)
    assert low <= waits[1] <= high  # second wait is the jittered exponential backoff
    assert http.stats.requests == 3
    assert http.stats.retries == 2
    assert http.stats.rate_limited == 1


@respx.mock
async def test_non_transient_400_is_not_retried() -> None:
    route = respx.get(URL).respond(400, json={"code": "INVALID_DATA"})
    waits: list[float] = []
    with pytest.raises(VendorError, match="INVALID_DATA"):
        await make_client(waits).request("GET", URL)
    assert route.call_count == 1
    assert waits == []


@respx.mock
async def test_persistent_5xx_ends_in_transient_error_after_bounded_attempts() -> None:
    route = respx.get(URL).respond(502, text="bad gateway")
    waits: list[float] = []
    with pytest.raises(TransientError, match="bad gateway"):
        await make_client(waits, attempts=4).request("GET", URL)
    assert route.call_count == 4
    assert len(waits) == 3


@respx.mock
async def test_retry_after_is_capped() -> None:
    respx.get(URL).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "86400"}),
            httpx.Response(200, json=[]),
        ]
    )
    waits: list[float] = []
    await make_client(waits).request("GET", URL)
    assert waits == [RetryPolicy().max_retry_after]


@respx.mock
async def test_transport_errors_are_retried() -> None:
    route = respx.get(URL).mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json=[1])]
    )
    waits: list[float] = []
    assert await make_client(waits).request("GET", URL) == [1]
    assert route.call_count == 2


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(initial_backoff=1, max_backoff=8, jitter=0)
    assert [policy.backoff(n) for n in range(1, 7)] == [1, 2, 4, 8, 8, 8]
