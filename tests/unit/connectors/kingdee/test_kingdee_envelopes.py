"""What a reply means: the parse functions against every body shape K/3 Cloud sends."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from connectors.kingdee import KingdeeConfig
from connectors.kingdee.client import parse_operation, parse_query
from connectors.kingdee.protocol import SERVER_TZ, format_datetime, parse_server_datetime
from connectors.kingdee.records import after, group_rows
from connectors.kingdee.streams import FORMS
from connectors.sdk import (
    AuthError,
    ConfigError,
    MalformedResponse,
    RateLimited,
    TransientError,
    VendorError,
)

URL = "http://erp.example.com/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc"


def reply(status: int = 200, *, json: Any = None, text: str | None = None) -> httpx.Response:
    request = httpx.Request("POST", URL)
    if text is not None:
        return httpx.Response(status, text=text, request=request)
    return httpx.Response(status, json=json, request=request)


def failure(code: int, message: str) -> dict[str, Any]:
    status = {
        "ErrorCode": 500,
        "IsSuccess": False,
        "Errors": [{"FieldName": None, "Message": message, "DIndex": 0}],
        "SuccessEntitys": [],
        "SuccessMessages": [],
        "MsgCode": code,
    }
    return {"Result": {"ResponseStatus": status}}


def test_query_rows_keep_money_exact() -> None:
    response = httpx.Response(200, content=b'[[1,"A",1130.10]]', request=httpx.Request("POST", URL))
    assert parse_query(response) == [[1, "A", Decimal("1130.10")]]


@pytest.mark.parametrize(
    ("body", "error", "words"),
    [
        ([[failure(9, "元数据中标识为FNope的字段不存在")]], VendorError, "FNope"),
        ([[failure(4, "标识为“X”的业务对象不存在，或者被删除。")]], VendorError, "业务对象不存在"),
        ([[failure(14, "接口调用次数超过限制")]], RateLimited, "调用次数"),
        ([[failure(1, "会话信息已丢失，请重新登录")]], AuthError, "会话信息已丢失"),
        (failure(4, "不是包装过的错误"), VendorError, "包装"),
    ],
)
def test_query_errors_inside_200_bodies(body: Any, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words) as caught:
        parse_query(reply(json=body))
    assert "ExecuteBillQuery" in str(caught.value)


def test_call_limit_waits_even_without_retry_after() -> None:
    with pytest.raises(RateLimited) as caught:
        parse_query(reply(json=[[failure(14, "limit")]]))
    assert caught.value.retry_after
    assert caught.value.retry_after > 0


def test_plain_text_response_error_is_malformed_with_the_server_message() -> None:
    with pytest.raises(MalformedResponse, match="未将对象引用设置到对象的实例"):
        parse_query(reply(text="response_error:未将对象引用设置到对象的实例。"))


def test_wrong_data_centre_is_an_auth_error_not_a_retry() -> None:
    with pytest.raises(AuthError, match="acct_id"):
        parse_query(reply(500, text="Fail to verify thirty passport"))


def test_gateway_errors_are_transient() -> None:
    with pytest.raises(TransientError) as caught:
        parse_query(reply(502, text="502 - Bad Gateway"))
    assert caught.value.status == 502


def test_html_body_is_malformed() -> None:
    with pytest.raises(MalformedResponse):
        parse_query(reply(text="<html>proxy</html>"))


def test_batch_save_outcomes_are_read_by_dindex_not_position() -> None:
    status = {
        "ErrorCode": 500,
        "IsSuccess": False,
        "Errors": [
            {"FieldName": "FName", "Message": "第1行：名称必填", "DIndex": 2},
            {"FieldName": None, "Message": "第2行：数量必须大于0", "DIndex": 2},
        ],
        "SuccessEntitys": [
            {"Id": 7, "Number": "B7", "DIndex": 3},
            {"Id": 5, "Number": "B5", "DIndex": 0},
        ],
        "MsgCode": 11,
    }
    outcome = parse_operation(reply(json={"Result": {"ResponseStatus": status}}))
    assert outcome.successes == {0: (5, "B5"), 3: (7, "B7")}
    assert outcome.error_text(2) == "第1行：名称必填; 第2行：数量必须大于0"
    assert 1 not in outcome.successes
    assert 1 not in outcome.errors


def test_an_all_records_refused_batch_is_not_a_call_failure() -> None:
    status = {
        "IsSuccess": False,
        "Errors": [{"FieldName": "FName", "Message": "必填", "DIndex": 0}],
        "SuccessEntitys": [],
        "MsgCode": 11,
    }
    outcome = parse_operation(reply(json={"Result": {"ResponseStatus": status}}))
    assert outcome.errors == {0: [("必填", "FName")]}


def test_an_unknown_form_on_save_fails_the_whole_call() -> None:
    with pytest.raises(VendorError, match="业务对象不存在"):
        parse_operation(reply(json=failure(4, "业务对象不存在")))


def test_server_times_are_shanghai_and_round_trip() -> None:
    parsed = parse_server_datetime("2025-01-02T14:49:44.5371234")
    assert parsed == datetime(2025, 1, 2, 14, 49, 44, 537123, tzinfo=SERVER_TZ)
    assert (
        format_datetime(datetime(2025, 1, 2, 14, 49, 44, 500000, tzinfo=SERVER_TZ))
        == "2025-01-02T14:49:44.5"
    )
    assert (
        format_datetime(datetime(2025, 1, 2, 14, 49, 44, tzinfo=SERVER_TZ)) == "2025-01-02T14:49:44"
    )


def test_rows_of_one_bill_fold_into_one_record_with_nested_lines() -> None:
    spec = FORMS["contracts"]
    keys = spec.query_keys()
    width = len(keys)

    def row(fid: int, entry: int | None, qty: str) -> list[Any]:
        values: list[Any] = [None] * width
        values[0], values[1], values[2] = fid, f"SO{fid}", "2025-01-02T08:00:00.25"
        values[keys.index("FDate")] = "2025-01-02T00:00:00"
        values[keys.index(spec.entry_id_key)] = entry
        values[keys.index("FQty")] = Decimal(qty)
        return values

    records = group_rows(spec, keys, [row(1, 11, "1.0"), row(1, 12, "2.0"), row(2, None, "0")])
    assert [r["FBillNo"] for r in records] == ["SO1", "SO2"]
    first = records[0]
    assert first["FormId"] == "SAL_SaleOrder"
    assert first["FDate"] == date(2025, 1, 2)
    assert first["FModifyDate"] == datetime(2025, 1, 2, 8, 0, 0, 250000, tzinfo=SERVER_TZ)
    assert [line["FEntryID"] for line in first["FSaleOrderEntry"]] == [11, 12]
    assert first["FSaleOrderEntry"][1]["FQty"] == Decimal("2.0")
    assert records[1]["FSaleOrderEntry"] == []


def test_keyset_filter_breaks_ties_by_id() -> None:
    text = after(FORMS["customers"], datetime(2025, 1, 2, 0, 0, 1, 5000, tzinfo=SERVER_TZ), 42)
    assert text == (
        "(FModifyDate > '2025-01-02 00:00:01.005' OR "
        "(FModifyDate >= '2025-01-02 00:00:01.005' AND FCUSTID > 42))"
    )


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"base_url": "ftp://erp.example.com/"}, "http"),
        ({"base_url": "http://user:pw@erp.example.com/"}, "credentials"),
        ({"app_id": "short_x"}, "32 characters"),
        ({"auth": "session", "login": "password", "app_id": None, "app_secret": None}, "password"),
        ({"external_key_field": "F SyncHub"}, "field key"),
    ],
)
def test_config_errors_name_the_field(config: dict[str, Any], words: str) -> None:
    from connectors.kingdee import KingdeeConnector

    base = {
        "base_url": "http://erp.example.com/k3cloud",
        "acct_id": "a",
        "user_name": "u",
        "app_id": "1_" + "A" * 32,
        "app_secret": "s" * 32,
    }
    with pytest.raises(ConfigError, match=words):
        KingdeeConnector.parse_config({**base, **config})


def test_base_url_gets_its_trailing_slash() -> None:
    config = KingdeeConfig(
        base_url="https://erp.example.com/k3cloud",
        acct_id="a",
        user_name="u",
        app_id="1_" + "A" * 32,
        app_secret="s",
    )
    assert config.base_url == "https://erp.example.com/k3cloud/"


def test_keyset_filter_after_an_unstamped_record() -> None:
    assert after(FORMS["contracts"], None, 7) == (
        "((FModifyDate IS NULL AND FID > 7) OR FModifyDate IS NOT NULL)"
    )
