"""Request shapes and the auth/pager flow against respx (no sandbox): what goes on the wire."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from connectors.sdk import AuthError
from connectors.zentao import ZentaoConnector

API = "https://pm.example.cn/zentao/api.php/v1"
CONFIG = {
    "base_url": "https://pm.example.cn/zentao",
    "account": "bot",
    "password": "s3cret!",
    "page_size": 2,
}


async def _no_sleep(seconds: float) -> None:
    return None


def connector() -> ZentaoConnector:
    return ZentaoConnector(CONFIG, sleep=_no_sleep)


def project(n: int) -> dict[str, object]:
    return {
        "id": n,
        "name": f"P{n}",
        "code": f"C{n}",
        "openedDate": "2025-01-01T00:00:00Z",
        "lastEditedDate": None,
        "desc": "",
    }


@respx.mock
async def test_login_body_and_token_header() -> None:
    login = respx.post(f"{API}/tokens").respond(201, json={"token": "abc123"})
    me = respx.get(f"{API}/user").respond(200, json={"profile": {"account": "bot"}})
    conn = connector()
    assert (await conn.check()).ok
    assert json.loads(login.calls.last.request.content) == {"account": "bot", "password": "s3cret!"}
    assert me.calls.last.request.headers["Token"] == "abc123"
    await conn.aclose()


@respx.mock
async def test_401_logs_in_again_once_then_gives_up() -> None:
    login = respx.post(f"{API}/tokens").mock(
        side_effect=[
            httpx.Response(201, json={"token": "t1"}),
            httpx.Response(201, json={"token": "t2"}),
        ]
    )
    respx.get(f"{API}/user").respond(401, json={"error": "Unauthorized"})
    conn = connector()
    result = await conn.check()
    assert not result.ok
    assert "rejected after a refresh" in result.message
    assert login.call_count == 2
    await conn.aclose()


@respx.mock
async def test_a_refused_login_is_never_retried() -> None:
    login = respx.post(f"{API}/tokens").respond(400, json={"error": "您还有3次尝试机会。"})
    conn = connector()
    for _ in range(3):
        with pytest.raises(AuthError, match="3次尝试机会"):
            await conn.client.call("GET", "/projects")
    assert login.call_count == 1
    await conn.aclose()


@respx.mock
async def test_pager_stops_by_total_when_the_server_repeats_page_one() -> None:
    respx.post(f"{API}/tokens").respond(201, json={"token": "t"})

    def projects(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        served = page if page <= 3 else 1  # ZenTao serves page 1 past the end
        items = [project(n) for n in range(served * 2 - 1, served * 2 + 1) if n <= 5]
        return httpx.Response(
            200, json={"page": str(served), "total": "5", "limit": "2", "projects": items}
        )

    route = respx.get(f"{API}/projects").mock(side_effect=projects)
    conn = connector()
    pages = [p async for p in conn.read("projects")]
    assert [r["id"] for p in pages for r in p.records] == [1, 2, 3, 4, 5]
    assert route.call_count == 3
    params = route.calls[0].request.url.params
    assert (params["order"], params["status"], params["limit"]) == ("id_asc", "all", "2")
    await conn.aclose()


@respx.mock
async def test_an_echoed_page_other_than_requested_ends_the_list() -> None:
    respx.post(f"{API}/tokens").respond(201, json={"token": "t"})
    route = respx.get(f"{API}/projects").mock(
        side_effect=[
            httpx.Response(
                200, json={"page": 1, "total": 9, "limit": 2, "projects": [project(1), project(2)]}
            ),
            httpx.Response(
                200, json={"page": 1, "total": 9, "limit": 2, "projects": [project(1), project(2)]}
            ),
        ]
    )
    conn = connector()
    pages = [p async for p in conn.read("projects")]
    assert [r["id"] for p in pages for r in p.records] == [1, 2]
    assert route.call_count == 2
    assert not pages[-1].complete  # 2 of 9: not a proof of completeness
    await conn.aclose()


@respx.mock
async def test_create_body_carries_defaults_and_the_key_marker() -> None:
    respx.post(f"{API}/tokens").respond(201, json={"token": "t"})
    create = respx.post(f"{API}/projects").respond(
        201, json={**project(7), "desc": "<p>[synchub:k1]</p>"}
    )
    conn = connector()
    from connectors.sdk import WriteRequest

    [result] = await conn.write(
        "projects",
        [
            WriteRequest(
                {"name": "N", "code": "HT1", "begin": "2025-01-01", "end": "2025-02-01"}, "k1"
            )
        ],
    )
    body = json.loads(create.calls.last.request.content)
    assert body["products"] == [1]
    assert body["desc"] == "<p>[synchub:k1]</p>"
    assert result.status == "created"
    assert result.remote_id == "7"
    await conn.aclose()
