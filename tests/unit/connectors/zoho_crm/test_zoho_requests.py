"""Request shapes the Zoho connector sends, pinned with respx (no sandbox involved)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from connectors.sdk import AuthError, ConfigError, WriteRequest
from connectors.zoho_crm import ZohoCrmConnector
from connectors.zoho_crm.streams import FIELDS

ACCOUNTS = "https://accounts.zoho.com.cn/oauth/v2/token"
API = "https://www.zohoapis.com.cn"
CONFIG: dict[str, Any] = {
    "data_centre": "cn",
    "client_id": "1000.CLIENTID",
    "client_secret": "client-secret-value",
    "refresh_token": "1000.refresh.token-value",
}


def token(access: str = "1000.access.one", domain: str = API) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "access_token": access,
            "api_domain": domain,
            "token_type": "Bearer",
            "expires_in": 3600,
        },
    )


def page(
    records: list[dict[str, Any]], *, more: bool = False, next_token: str | None = None
) -> httpx.Response:
    info = {
        "per_page": 200,
        "count": len(records),
        "page": 1,
        "more_records": more,
        "next_page_token": next_token,
    }
    return httpx.Response(200, json={"data": records, "info": info})


async def no_sleep(seconds: float) -> None:
    return None


def connector(**overrides: Any) -> ZohoCrmConnector:
    return ZohoCrmConnector({**CONFIG, **overrides}, sleep=no_sleep)


@respx.mock
async def test_token_request_is_a_form_post_to_the_china_accounts_server() -> None:
    minted = respx.post(ACCOUNTS).mock(return_value=token())
    respx.get(f"{API}/crm/v8/Accounts").mock(return_value=httpx.Response(204))
    async with connector() as zoho:
        [p async for p in zoho.read("accounts")]
    sent = minted.calls.last.request
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in sent.headers
    assert parse_qs(sent.content.decode()) == {
        "refresh_token": ["1000.refresh.token-value"],
        "client_id": ["1000.CLIENTID"],
        "client_secret": ["client-secret-value"],
        "grant_type": ["refresh_token"],
    }


@respx.mock
async def test_list_call_shape_and_api_domain_from_the_token_response() -> None:
    respx.post(ACCOUNTS).mock(return_value=token(domain="https://sandbox.zohoapis.com.cn"))
    listed = respx.get("https://sandbox.zohoapis.com.cn/crm/v8/Accounts").mock(
        return_value=page(
            [{"id": "7153000000001000001", "Modified_Time": "2026-01-05T10:00:00+08:00"}]
        )
    )
    async with connector() as zoho:
        pages = [p async for p in zoho.read("accounts")]
    request = listed.calls.last.request
    assert request.headers["authorization"] == "Zoho-oauthtoken 1000.access.one"
    assert "if-modified-since" not in request.headers
    assert dict(request.url.params) == {
        "fields": ",".join(FIELDS["accounts"]),
        "per_page": "200",
        "page": "1",
        "sort_by": "Modified_Time",
        "sort_order": "asc",
    }
    assert pages[-1].complete
    assert pages[-1].records[0]["id"] == "7153000000001000001"


@respx.mock
async def test_incremental_read_sends_if_modified_since_and_304_is_one_request() -> None:
    respx.post(ACCOUNTS).mock(return_value=token())
    listed = respx.get(f"{API}/crm/v8/Accounts").mock(return_value=httpx.Response(304))
    cursor = {"value": "2026-01-05T10:00:00+08:00", "seen": {"1": "2026-01-05T10:00:00+08:00"}}
    async with connector() as zoho:
        pages = [p async for p in zoho.read("accounts", cursor)]
    assert listed.call_count == 1
    assert listed.calls.last.request.headers["if-modified-since"] == "2026-01-05T10:00:00+08:00"
    assert len(pages) == 1
    assert pages[0].records == []
    assert not pages[0].complete
    assert pages[0].cursor["value"] == "2026-01-05T10:00:00+08:00"


@respx.mock
async def test_past_2000_records_the_reader_switches_to_page_token() -> None:
    respx.post(ACCOUNTS).mock(return_value=token())
    same_second = "2026-01-05T10:00:00+08:00"
    calls: list[dict[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        calls.append(params)
        number = len(calls)
        records = [{"id": f"{number:04d}{i:03d}", "Modified_Time": same_second} for i in range(200)]
        return page(records, more=number < 11, next_token=f"tok{number}")

    respx.get(f"{API}/crm/v8/Accounts").mock(side_effect=answer)
    async with connector() as zoho:
        pages = [p async for p in zoho.read("accounts")]
    assert [c.get("page") for c in calls[:10]] == [str(n) for n in range(1, 11)]
    assert "page" not in calls[10]
    assert calls[10]["page_token"] == "tok10"
    assert sum(len(p.records) for p in pages) == 2200


@respx.mock
async def test_upsert_body_creates_by_hub_id_and_put_updates_by_id() -> None:
    respx.post(ACCOUNTS).mock(return_value=token())
    upsert = respx.post(f"{API}/crm/v8/Accounts/upsert").mock(
        return_value=httpx.Response(
            201,
            json={"data": [{"code": "SUCCESS", "action": "insert", "duplicate_field": None,
                            "details": {"id": "71530001"}, "message": "record added", "status": "success"}]},
        )
    )  # fmt: skip
    update = respx.put(f"{API}/crm/v8/Accounts").mock(
        return_value=httpx.Response(
            200,
            json={"data": [{"code": "SUCCESS", "details": {"id": "71530002"},
                            "message": "record updated", "status": "success"}]},
        )
    )  # fmt: skip
    async with connector() as zoho:
        results = await zoho.write(
            "accounts",
            [
                WriteRequest(
                    {
                        "Account_Name": "杭州云链信息科技有限公司",
                        "Annual_Revenue": Decimal("1250000.55"),
                    },
                    "hub-1",
                ),
                WriteRequest(
                    {"Account_Name": "杭州数信科技有限公司"}, "hub-2", remote_id="71530002"
                ),
            ],
        )
    assert [(r.status, r.remote_id) for r in results] == [
        ("created", "71530001"),
        ("updated", "71530002"),
    ]
    assert json.loads(upsert.calls.last.request.content) == {
        "data": [
            {
                "Account_Name": "杭州云链信息科技有限公司",
                "Annual_Revenue": 1250000.55,
                "SyncHub_ID": "hub-1",
            }
        ],
        "trigger": [],
        "duplicate_check_fields": ["SyncHub_ID"],
    }
    assert upsert.calls.last.request.headers["content-type"] == "application/json"
    assert json.loads(update.calls.last.request.content) == {
        "data": [{"Account_Name": "杭州数信科技有限公司", "SyncHub_ID": "hub-2", "id": "71530002"}],
        "trigger": [],
    }


@respx.mock
async def test_a_207_reports_each_record_and_keeps_the_vendor_reason() -> None:
    respx.post(ACCOUNTS).mock(return_value=token())
    respx.post(f"{API}/crm/v8/Accounts/upsert").mock(
        return_value=httpx.Response(
            207,
            json={"data": [
                {"code": "SUCCESS", "action": "update", "duplicate_field": "SyncHub_ID",
                 "details": {"id": "1"}, "message": "record updated", "status": "success"},
                {"code": "MANDATORY_NOT_FOUND", "details": {"api_name": "Account_Name", "json_path": "$.data[1].Account_Name"},
                 "message": "required field not found", "status": "error"},
            ]},
        )
    )  # fmt: skip
    async with connector() as zoho:
        ok, bad = await zoho.write(
            "accounts", [WriteRequest({"Account_Name": "A"}, "k1"), WriteRequest({}, "k2")]
        )
    assert (ok.status, ok.remote_id) == ("updated", "1")
    assert bad.status == "failed"
    assert bad.vendor_code == "MANDATORY_NOT_FOUND"
    assert bad.field == "Account_Name"
    assert "required field not found" in (bad.error or "")


@respx.mock
async def test_invalid_token_refreshes_once_then_auth_error() -> None:
    minted = respx.post(ACCOUNTS).mock(
        side_effect=[token("1000.a.one"), token("1000.a.two"), token("1000.a.three")]
    )
    listed = respx.get(f"{API}/crm/v8/Accounts").mock(
        return_value=httpx.Response(
            401,
            json={
                "code": "INVALID_TOKEN",
                "details": {},
                "message": "invalid oauth token",
                "status": "error",
            },
        )
    )
    async with connector() as zoho:
        with pytest.raises(AuthError) as caught:
            [p async for p in zoho.read("accounts")]
    assert minted.call_count == 2
    assert listed.call_count == 2
    assert listed.calls[1].request.headers["authorization"] == "Zoho-oauthtoken 1000.a.two"
    assert "1000.a.two" not in str(caught.value)


@respx.mock
async def test_token_errors_come_with_http_200_and_leak_no_secret() -> None:
    respx.post(ACCOUNTS).mock(return_value=httpx.Response(200, json={"error": "invalid_client"}))
    async with connector() as zoho:
        result = await zoho.check()
    assert not result.ok
    assert "invalid_client" in result.message
    for secret in ("client-secret-value", "1000.refresh.token-value"):
        assert secret not in result.message


@respx.mock
async def test_money_is_decimal_and_ids_stay_strings() -> None:
    respx.post(ACCOUNTS).mock(return_value=token())
    body = (
        b'{"data":[{"id":"7153000000001000001","Amount":1234567.89,'
        b'"Modified_Time":"2026-01-05T10:00:00+08:00"}],"info":{"more_records":false}}'
    )
    respx.get(f"{API}/crm/v8/Deals").mock(return_value=httpx.Response(200, content=body))
    async with connector() as zoho:
        pages = [p async for p in zoho.read("deals")]
    record = pages[0].records[0]
    assert record["Amount"] == Decimal("1234567.89")
    assert isinstance(record["Amount"], Decimal)
    assert record["id"] == "7153000000001000001"


@respx.mock
async def test_rate_limit_waits_for_details_retry_after() -> None:
    respx.post(ACCOUNTS).mock(return_value=token())
    respx.get(f"{API}/crm/v8/Accounts").mock(
        side_effect=[
            httpx.Response(
                429,
                json={
                    "code": "TOO_MANY_REQUESTS",
                    "details": {"retry_after": 12},
                    "message": "Rate limit exceeded",
                    "status": "error",
                },
            ),
            httpx.Response(204),
        ]
    )
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with ZohoCrmConnector(CONFIG, sleep=sleep) as zoho:
        [p async for p in zoho.read("accounts")]
    assert waits == [12.0]


def test_config_requires_a_data_centre_and_refuses_credentials_in_urls() -> None:
    with pytest.raises(ConfigError, match="data_centre: required"):
        ZohoCrmConnector({k: v for k, v in CONFIG.items() if k != "data_centre"})
    with pytest.raises(ConfigError, match="must not carry credentials"):
        ZohoCrmConnector({**CONFIG, "accounts_url": "https://user:pw@accounts.zoho.com"})
    ca = ZohoCrmConnector({**CONFIG, "data_centre": "ca", "environment": "sandbox"}).config
    assert ca.token_url == "https://accounts.zohocloud.ca/oauth/v2/token"
    assert ca.default_api_domain == "https://sandbox.zohoapis.ca"


@respx.mock
async def test_lookup_is_a_coql_in_query_on_the_key_field() -> None:
    respx.post(ACCOUNTS).mock(return_value=token())
    query = respx.post(f"{API}/crm/v8/coql").mock(
        return_value=httpx.Response(
            200,
            json={
                "data": [{"id": "9", "SyncHub_ID": "k'1"}],
                "info": {"count": 1, "more_records": False},
            },
        )
    )
    async with connector() as zoho:
        found = await zoho.lookup("accounts", ["k'1", "k2"])
    sent = json.loads(query.calls.last.request.content)["select_query"]
    assert sent.startswith("select id, SyncHub_ID, Account_Name,")
    assert "from Accounts where SyncHub_ID in ('k\\'1', 'k2') limit 0, 100" in sent
    assert found == {"k'1": {"id": "9", "SyncHub_ID": "k'1"}}
