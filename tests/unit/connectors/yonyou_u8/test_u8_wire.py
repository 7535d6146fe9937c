"""Request shapes of U8 OpenAPI calls: query parameters, async adds, errcode handling."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
import respx

from connectors.sdk import AuthError, ConfigError, WriteRequest
from connectors.yonyou_u8 import YonyouU8Connector
from connectors.yonyou_u8.window import DateWindow

BASE = "https://api.example"
CONFIG = {
    "base_url": BASE,
    "from_account": "isv01",
    "to_account": "u8corp",
    "app_key": "opa0123456789abcdef",
    "app_secret": "clear-text-secret-1",
    "ds_sequence": 2,
    "page_size": 25,
}


async def _no_wait(seconds: float) -> None:
    del seconds


def _token() -> respx.Route:
    return respx.get(f"{BASE}/system/token").respond(
        json={
            "errcode": "0",
            "errmsg": "",
            "token": {"id": "a" * 32, "appkey": "x", "expiresIn": 7200},
        }
    )


@respx.mock
async def test_list_call_query_parameters_are_pinned() -> None:
    token = _token()
    listing = respx.get(f"{BASE}/api/saleorderlist/batch_get").respond(
        json={
            "errcode": "0",
            "page_index": "1",
            "rows_per_page": "25",
            "row_count": "1",
            "page_count": "1",
            "saleorderlist": [{"code": "SO1", "date": "2025-05-01", "sum": 113.1}],
        }
    )
    connector = YonyouU8Connector(CONFIG)
    pages = [page async for page in connector.read("sales_orders")]
    assert pages[0].records[0]["sum"] == Decimal("113.1")
    assert dict(token.calls.last.request.url.params) == {
        "from_account": "isv01",
        "app_key": "opa0123456789abcdef",
        "app_secret": "clear-text-secret-1",
    }
    assert dict(listing.calls.last.request.url.params) == {
        "from_account": "isv01",
        "to_account": "u8corp",
        "app_key": "opa0123456789abcdef",
        "ds_sequence": "2",
        "page_index": "1",
        "rows_per_page": "25",
        "token": "a" * 32,
    }
    await connector.aclose()


@respx.mock
async def test_no_data_code_is_an_empty_complete_read() -> None:
    _token()
    respx.get(f"{BASE}/api/customer/batch_get").respond(
        json={"errcode": "20002", "errmsg": "未检索到匹配的[客户]。"}
    )
    connector = YonyouU8Connector(CONFIG)
    pages = [page async for page in connector.read("customers")]
    assert [(p.records, p.complete) for p in pages] == [([], True)]
    await connector.aclose()


@respx.mock
async def test_add_sends_biz_id_and_polls_the_result_url() -> None:
    _token()
    add = respx.post(f"{BASE}/api/customer/add").respond(
        json={"errcode": "0", "errmsg": "提交成功", "url": f"{BASE}/result/7"}
    )
    result = respx.get(f"{BASE}/result/7").mock(
        side_effect=[
            httpx.Response(200, json={"errcode": "0", "status": "processing"}),
            httpx.Response(200, json={"errcode": "0", "id": "C0099", "tradeid": ""}),
        ]
    )
    waits: list[float] = []

    async def wait(seconds: float) -> None:
        waits.append(seconds)

    connector = YonyouU8Connector({**CONFIG, "poll_interval": 3}, sleep=wait)
    [outcome] = await connector.write(
        "customers", [WriteRequest({"code": "C0099", "name": "客户"}, "hub-1")]
    )
    assert (outcome.status, outcome.remote_id) == ("created", "C0099")
    params = add.calls.last.request.url.params
    assert params["biz_id"] == "hub-1"
    assert "tradeid" not in params
    assert json.loads(add.calls.last.request.content) == {
        "customer": {"code": "C0099", "name": "客户", "self_define1": "hub-1"}
    }
    assert result.call_count == 2
    assert waits == [3, 3]
    assert "token" not in result.calls.last.request.url.params  # the result URL is followed bare
    await connector.aclose()


@respx.mock
async def test_tradeid_mode_fetches_one_trade_and_never_sends_both() -> None:
    _token()
    lookup = respx.get(f"{BASE}/api/acceptlist/batch_get").respond(
        json={"errcode": "20002", "errmsg": "未检索到匹配的[收款单]。"}
    )
    trade = respx.get(f"{BASE}/system/tradeid").respond(
        json={"errcode": "0", "trade": {"id": "f" * 32}}
    )
    add = respx.post(f"{BASE}/api/accept/add").respond(
        json={"errcode": "0", "id": "SK1", "tradeid": "f" * 32}
    )
    connector = YonyouU8Connector(
        {**CONFIG, "idempotency": "tradeid", "synchronous_add": True}, sleep=_no_wait
    )
    [outcome] = await connector.write(
        "receipts", [WriteRequest({"customercode": "C1", "amount": 1}, "hub-2")]
    )
    assert outcome.remote_id == "SK1"
    assert trade.call_count == 1
    params = add.calls.last.request.url.params
    assert (params["tradeid"], params["sync"], "biz_id" in params) == ("f" * 32, "1", False)
    assert lookup.calls.last.request.url.params["define11"] == "hub-2"  # looked before adding
    await connector.aclose()


@respx.mock
async def test_refused_add_fails_alone_with_the_vendor_message() -> None:
    _token()
    respx.post(f"{BASE}/api/saleorder/add").respond(
        json={"errcode": "0", "url": f"{BASE}/result/1"}
    )
    respx.get(f"{BASE}/result/1").respond(json={"errcode": "2001", "errmsg": "客户[X]不存在"})
    connector = YonyouU8Connector(CONFIG, sleep=_no_wait)
    [outcome] = await connector.write("sales_orders", [WriteRequest({"custcode": "X"}, "hub-3")])
    assert (outcome.status, outcome.error, outcome.vendor_code) == (
        "failed",
        "客户[X]不存在",
        "2001",
    )
    await connector.aclose()


@respx.mock
async def test_result_url_on_another_host_is_not_followed() -> None:
    _token()
    respx.post(f"{BASE}/api/saleorder/add").respond(
        json={"errcode": "0", "url": "https://evil.example/result/1"}
    )
    connector = YonyouU8Connector(CONFIG, sleep=_no_wait)
    with pytest.raises(Exception, match="another host"):
        await connector.write("sales_orders", [WriteRequest({"custcode": "X"}, "hub-4")])
    await connector.aclose()


@respx.mock
async def test_bad_secret_is_an_auth_error_without_the_secret() -> None:
    respx.get(f"{BASE}/system/token").respond(
        json={"errcode": "10002", "errmsg": "app_secret 不正确"}
    )
    connector = YonyouU8Connector(CONFIG)
    with pytest.raises(AuthError) as caught:
        [page async for page in connector.read("customers")]
    assert "clear-text-secret-1" not in str(caught.value)
    await connector.aclose()


@respx.mock(assert_all_called=False)
async def test_voucher_update_fails_alone_without_a_request() -> None:
    token = _token()
    connector = YonyouU8Connector(CONFIG)
    [outcome] = await connector.write(
        "sales_orders", [WriteRequest({"memo": "x"}, "hub-5", remote_id="SO1")]
    )
    assert outcome.status == "failed"
    assert "cannot edit" in (outcome.error or "")
    assert token.call_count == 0
    await connector.aclose()


def test_config_validation() -> None:
    with pytest.raises(ConfigError, match="credentials"):
        YonyouU8Connector({**CONFIG, "base_url": "https://u:p@api.example"})
    with pytest.raises(ConfigError, match="to_account"):
        YonyouU8Connector({k: v for k, v in CONFIG.items() if k != "to_account"})


def test_date_window_passes_new_and_changed_documents_only() -> None:
    window = DateWindow.from_state(None, window=timedelta(days=7))
    window.observe("A", date(2025, 5, 10), {"code": "A", "sum": 1})
    state = window.checkpoint(date(2025, 5, 20))
    again = DateWindow.from_state(state, window=timedelta(days=7))
    assert again.since == date(2025, 5, 3)
    assert not again.is_new("A", {"code": "A", "sum": 1})
    assert again.is_new("A", {"code": "A", "sum": 2})
    assert again.is_new("B", {"code": "B"})
    again.observe("OLD", date(2025, 4, 1), {"code": "OLD"})
    assert "OLD" not in again.checkpoint(date(2025, 5, 20))["seen"]


def test_sandbox_takes_cli_options_as_text() -> None:
    from connectors.yonyou_u8.sandbox import YonyouU8Sandbox

    sandbox = YonyouU8Sandbox(companies=1, result_delay="2", calls_per_minute="9")  # type: ignore[arg-type]
    assert (sandbox.result_delay, sandbox.calls_per_minute) == (2, 9)
