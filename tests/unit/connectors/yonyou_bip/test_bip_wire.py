"""Request and answer shapes of YonBIP business calls: save bodies, envelopes, error codes."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from connectors.sdk import (
    AuthError,
    RateLimited,
    TransientError,
    VendorError,
    WriteRequest,
    mask_url,
)
from connectors.yonyou_bip import YonyouBipConnector
from connectors.yonyou_bip.client import business_parser
from connectors.yonyou_bip.writing import batch_results, resubmit_key

GATEWAY = "https://c2.example/iuap-api-gateway"
CONFIG = {
    "app_key": "key",
    "app_secret": "secret-value-123",
    "token_url": "https://c2.example/iuap-api-auth",
    "gateway_url": GATEWAY,
}


def _token() -> None:
    respx.get(url__regex=r".*/getAccessToken.*").respond(
        json={"code": "00000", "data": {"access_token": "tok/en+1", "expire": 7200}}
    )


@respx.mock
async def test_sales_order_save_body_is_pinned() -> None:
    _token()
    save = respx.post(f"{GATEWAY}/yonbip/sd/voucherorder/singleSave").respond(
        json={
            "code": "200",
            "message": "操作成功",
            "data": {"id": "1001", "code": "UO-1", "pubts": "2025-05-01 10:00:00"},
        }
    )
    connector = YonyouBipConnector(CONFIG)
    data = {
        "vouchdate": "2025-05-01 00:00:00",
        "agentId": "2285747004510001",
        "payMoney": Decimal("113.10"),
        "orderDetails": [{"productId": "SVC", "qty": 1, "oriSum": Decimal("113.10")}],
    }
    [result] = await connector.write("sales_orders", [WriteRequest(data, "hub-0001")])
    assert (result.status, result.remote_id) == ("created", "1001")
    request = save.calls.last.request
    assert request.url.params["access_token"] == "tok/en+1"
    assert request.headers["content-type"].startswith("application/json")
    assert json.loads(request.content) == {
        "data": {
            "vouchdate": "2025-05-01 00:00:00",
            "agentId": "2285747004510001",
            "payMoney": 113.1,
            "orderDetails": [{"productId": "SVC", "qty": 1, "oriSum": 113.1, "_status": "Insert"}],
            "defines!define1": "hub-0001",
            "_status": "Insert",
            "resubmitCheckKey": resubmit_key("sales_orders", "hub-0001"),
        }
    }
    assert len(resubmit_key("sales_orders", "hub-0001")) == 32
    await connector.aclose()


@respx.mock
async def test_customer_update_goes_to_merchant_save_with_zh_cn_names_and_update_status() -> None:
    _token()
    save = respx.post(f"{GATEWAY}/yonbip/digitalModel/merchant/save").respond(
        json={"code": "200", "data": {"id": "77", "code": "C1", "name": {"simplifiedName": "新"}}}
    )
    detail = respx.get(f"{GATEWAY}/yonbip/digitalModel/merchant/detail").respond(
        json={
            "code": "200",
            "data": {"id": "77", "merchantAddressInfos": [{"id": "9", "address": "old"}]},
        }
    )
    connector = YonyouBipConnector(CONFIG)
    data = {
        "name": {"simplifiedName": "新"},
        "shortname": None,
        "merchantAddressInfos": [{"address": "x"}, {"address": "y"}],
    }
    [result] = await connector.write("customers", [WriteRequest(data, "hub-9", remote_id="77")])
    assert result.status == "updated"
    assert detail.calls.last.request.url.params["id"] == "77"
    body = json.loads(save.calls.last.request.content)["data"]
    assert body["_status"] == "Update"
    assert body["id"] == "77"
    assert body["name"] == {"zh_CN": "新"}
    assert "shortname" not in body  # a null would overwrite the stored value
    rows = [(line.get("id"), line["_status"]) for line in body["merchantAddressInfos"]]
    assert rows == [("9", "Update"), (None, "Insert")]
    assert body["resubmitCheckKey"].startswith("u")
    await connector.aclose()


def test_resubmit_keys_are_stable_per_record_and_distinct_across_records() -> None:
    assert resubmit_key("customers", "a") == resubmit_key("customers", "a")
    assert resubmit_key("customers", "a") != resubmit_key("customers", "b")
    assert resubmit_key("customers", "a") != resubmit_key("receipts", "a")
    assert resubmit_key("customers", "a", {"x": 1}) != resubmit_key("customers", "a", {"x": 2})


def _answer(body: Any, *, status: int = 200, text: str | None = None) -> httpx.Response:
    request = httpx.Request("POST", f"{GATEWAY}/yonbip/x?access_token=SECRET-TOKEN-VALUE")
    if text is not None:
        return httpx.Response(status, text=text, request=request)
    return httpx.Response(status, json=body, request=request)


def _parse(response: httpx.Response, **kw: Any) -> Any:
    return business_parser(
        connector="t", rate_limit_codes=frozenset({"310046"}), rate_limit_wait=5.0, **kw
    )(response)


@pytest.mark.parametrize("code", ["200", 200])
def test_business_success_tolerates_string_or_number_code(code: Any) -> None:
    assert _parse(_answer({"code": code, "data": {"x": 1}})) == {"x": 1}


def test_money_stays_decimal() -> None:
    response = httpx.Response(
        200,
        content=b'{"code":"200","data":{"oriSum":113.10}}',
        request=httpx.Request("GET", "https://x"),
    )
    assert _parse(response) == {"oriSum": Decimal("113.10")}


@pytest.mark.parametrize(
    ("body", "error", "words"),
    [
        ({"code": "310036", "message": "非法token"}, AuthError, "非法token"),
        ({"code": "310046", "message": "触发了API级限流"}, RateLimited, "限流"),
        ({"code": "310504", "message": "请求超时"}, TransientError, "超时"),
        ({"code": "310037", "message": "API未被授权"}, VendorError, "授权"),
        ({"code": "999", "message": "服务端逻辑异常"}, VendorError, "服务端逻辑异常"),
    ],
)
def test_error_codes_inside_http_200_map_to_sdk_errors(
    body: Any, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words) as caught:
        _parse(_answer(body))
    assert "SECRET-TOKEN-VALUE" not in str(caught.value)


def test_rate_limit_carries_the_configured_wait() -> None:
    with pytest.raises(RateLimited) as caught:
        _parse(_answer({"code": "310046", "message": "x"}))
    assert caught.value.retry_after == 5.0


def test_plain_text_illegal_token_reads_as_310036() -> None:
    with pytest.raises(AuthError):
        _parse(_answer(None, text="非法token"))


def test_unregistered_path_is_fatal_with_its_code() -> None:
    with pytest.raises(VendorError) as caught:
        _parse(_answer({"code": "310404", "message": "网关上没有注册此API"}, status=404))
    assert caught.value.vendor_code == "310404"


def test_replay_codes_count_as_success_only_where_allowed() -> None:
    body = {"code": "100004", "message": "重复提交", "data": {"id": "5"}}
    assert _parse(_answer(body), accept_replay=True) == {"id": "5"}
    with pytest.raises(VendorError):
        _parse(_answer(body))


def test_batch_answer_with_200_envelope_reports_each_row() -> None:
    requests = [
        (0, WriteRequest({}, "k0")),
        (1, WriteRequest({}, "k1")),
        (2, WriteRequest({}, "k2")),
    ]
    data = {
        "count": 3,
        "sucessCount": 1,
        "failCount": 2,
        "messages": [{"key": "k2", "message": "客户不存在"}, {"message": "金额不能为空"}],
        "infos": [{"id": "10", "defines!define1": "k0"}],
    }
    results = batch_results(requests, data, external_key_field="defines!define1", path="/p")
    assert [(r.index, r.status, r.remote_id) for r in results] == [
        (0, "created", "10"),
        (1, "failed", None),
        (2, "failed", None),
    ]
    assert results[1].error == "金额不能为空"
    assert results[2].error == "客户不存在"


def test_batch_messages_may_be_a_single_string() -> None:
    data = {
        "count": 1,
        "sucessCount": 0,
        "failCount": 1,
        "messages": "物料分类编码未找到",
        "infos": [],
    }
    [result] = batch_results([(0, WriteRequest({}, "k"))], data, external_key_field="f", path="/p")
    assert result.error == "物料分类编码未找到"


def test_access_token_in_a_url_is_masked() -> None:
    masked = mask_url(f"{GATEWAY}/yonbip/x?access_token=abc%2Bdef%2F123&id=1")
    assert "abc" not in masked
    assert "id=1" in masked


def test_sandbox_takes_cli_options_as_text() -> None:
    from connectors.yonyou_bip.sandbox import YonyouBipSandbox

    sandbox = YonyouBipSandbox(companies=1, token_ttl="60", api_budget_per_minute="5")  # type: ignore[arg-type]
    assert (sandbox.token_ttl, sandbox.api_budget_per_minute) == (60, 5)
    with pytest.raises(ValueError, match="rate_limit_mode"):
        YonyouBipSandbox(companies=1, rate_limit_mode="loud")  # type: ignore[arg-type]


async def test_discover_lists_fields_of_every_stream() -> None:
    connector = YonyouBipConnector(CONFIG)
    fields = await connector.discover()
    assert set(fields) == {s.name for s in connector.streams}
    assert all(any(f.name == "defines!define1" for f in found) for found in fields.values())
    await connector.aclose()
