"""RefreshingAuth: fetch on first use, refresh once on rejection, then give up."""

from __future__ import annotations

from collections.abc import Generator

import httpx
import pytest
import respx

from connectors.sdk import AuthError, HttpClient, RefreshingAuth


class TokenAuth(RefreshingAuth):
    def __init__(self) -> None:
        super().__init__()
        self.token: str | None = None

    def refresh_flow(self) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield httpx.Request("POST", "https://accounts.example/token")
        self.token = response.json()["access_token"]

    def apply(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Token {self.token}"


@respx.mock
async def test_token_fetched_once_and_reused() -> None:
    token = respx.post("https://accounts.example/token").respond(json={"access_token": "t1"})
    api = respx.get("https://api.example/x").respond(json={"ok": True})
    http = HttpClient(connector="t", base_url="https://api.example", auth=TokenAuth())
    assert await http.request("GET", "/x") == {"ok": True}
    assert await http.request("GET", "/x") == {"ok": True}
    assert token.call_count == 1
    assert api.calls.last.request.headers["Authorization"] == "Token t1"


@respx.mock
async def test_rejected_token_is_refreshed_once_and_request_resent() -> None:
    token = respx.post("https://accounts.example/token").mock(
        side_effect=[
            httpx.Response(200, json={"access_token": "old"}),
            httpx.Response(200, json={"access_token": "new"}),
        ]
    )
    api = respx.get("https://api.example/x").mock(
        side_effect=lambda request: (
            httpx.Response(200, json={"ok": True})
            if request.headers["Authorization"] == "Token new"
            else httpx.Response(401, json={"code": "INVALID_TOKEN"})
        )
    )
    http = HttpClient(connector="t", base_url="https://api.example", auth=TokenAuth())
    assert await http.request("GET", "/x") == {"ok": True}
    assert token.call_count == 2
    assert api.call_count == 2


@respx.mock
async def test_still_rejected_after_refresh_raises_auth_error_without_looping() -> None:
    token = respx.post("https://accounts.example/token").respond(json={"access_token": "bad"})
    api = respx.get("https://api.example/x").respond(401, json={"code": "INVALID_TOKEN"})
    http = HttpClient(connector="t", base_url="https://api.example", auth=TokenAuth())
    with pytest.raises(AuthError, match="rejected after a refresh"):
        await http.request("GET", "/x")
    assert token.call_count == 2
    assert api.call_count == 2
