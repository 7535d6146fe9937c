"""Request shapes pinned with respx: endpoint paths, signed headers, login and BatchSave bodies."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from connectors.kingdee import KingdeeConnector
from connectors.kingdee.signing import SigningIdentity, client_secret, signed_headers, signing_path
from connectors.sdk import AuthError, WriteRequest

BASE = "http://erp.example.com/k3cloud/"
QUERY_URL = (
    BASE + "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc"
)
SAVE_URL = BASE + "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.BatchSave.common.kdsvc"
LOGIN_URL = BASE + "Kingdee.BOS.WebApi.ServicesStub.AuthService.LoginByAppSecret.common.kdsvc"
VALIDATE_URL = BASE + "Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser.common.kdsvc"

# The facts file's test vector (fake credentials, cross-checked against the official SDK).
VECTOR = {
    "acct_id": "1234567890abcd",
    "user_name": "apiuser",
    "app_id": "123456_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "app_secret": "0123456789abcdef0123456789abcdef",
}
EXPECTED_HEADERS = {
    "X-Api-ClientID": "123456",
    "X-Api-Auth-Version": "2.0",
    "x-api-timestamp": "1700000000",
    "x-api-nonce": "1700000000",
    "x-api-signheaders": "x-api-timestamp,x-api-nonce",
    "X-Api-Signature": "OTk1ODA1ZjU1ZjQxMzNlNmY3Yjk3MjdjMzlhYzQ5ODEzYWM2OGRmZjE0Njg4NmFjYTg3NTQ2NjM5OGUyM2VmMg==",
    "X-Kd-Appkey": "123456_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "X-Kd-Appdata": "MTIzNDU2Nzg5MGFiY2QsYXBpdXNlciwyMDUyLDA=",
    "X-Kd-Signature": "NTliNDc2NGE3ZjkxZGIzZWYwZWY0YjQ2MzQ1OWI0OTg3M2NjMGVmZDNkMmE3Y2I2Njc2ZGY4MDAyZGIxOTkzNA==",
}
SESSION_LOST = {
    "Result": {
        "ResponseStatus": {
            "ErrorCode": 500,
            "IsSuccess": False,
            "Errors": [{"FieldName": None, "Message": "会话信息已丢失，请重新登录", "DIndex": 0}],
            "SuccessEntitys": [],
            "SuccessMessages": [],
            "MsgCode": 1,
        }
    }
}


def connector(**overrides: Any) -> KingdeeConnector:
    config: dict[str, Any] = {"base_url": BASE, **VECTOR, "auth": "signed", **overrides}

    async def no_sleep(seconds: float) -> None:
        return None

    return KingdeeConnector(config, sleep=no_sleep, clock=lambda: 1_700_000_000.4)


def test_signing_functions_reproduce_the_test_vector() -> None:
    assert client_secret(VECTOR["app_id"]) == "MDA1NGYzOTdjNjIzNDM3OGIwOWNhN2Qz"
    assert signing_path(QUERY_URL) == (
        "%2Fk3cloud%2FKingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc"
    )
    identity = SigningIdentity(**VECTOR)
    assert signed_headers(identity, QUERY_URL, timestamp=1_700_000_000) == EXPECTED_HEADERS


def test_a_deployment_code_changes_the_client_secret() -> None:
    own = client_secret(VECTOR["app_id"], "abcdefghabcdefghabcdefghabcdefgh")
    assert own
    assert own != client_secret(VECTOR["app_id"])


@respx.mock
async def test_query_goes_to_the_service_path_with_the_signed_headers() -> None:
    route = respx.post(QUERY_URL).respond(json=[["C001", "甲公司"]])
    async with connector() as kd:
        rows = await kd.client.query({"FormId": "BD_Customer", "FieldKeys": "FNumber,FName"})
    assert rows == [["C001", "甲公司"]]
    request = route.calls.last.request
    assert request.url.path == (
        "/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc"
    )
    for name, value in EXPECTED_HEADERS.items():
        assert request.headers[name] == value, name
    assert "kdservice-sessionid" not in request.headers
    assert json.loads(request.content) == {
        "data": {"FormId": "BD_Customer", "FieldKeys": "FNumber,FName"}
    }


@respx.mock
async def test_the_session_the_server_sets_is_echoed_on_the_next_signed_call() -> None:
    route = respx.post(QUERY_URL).mock(
        side_effect=[
            httpx.Response(
                200, json=[], headers={"Set-Cookie": "kdservice-sessionid=s-1; path=/; HttpOnly"}
            ),
            httpx.Response(200, json=[]),
        ]
    )
    async with connector() as kd:
        await kd.client.query({"FormId": "BD_Customer", "FieldKeys": "FNumber"})
        await kd.client.query({"FormId": "BD_Customer", "FieldKeys": "FNumber"})
    second = route.calls[1].request
    assert second.headers["kdservice-sessionid"] == "s-1"
    assert "kdservice-sessionid=s-1" in second.headers["Cookie"]
    assert second.headers["X-Kd-Signature"] == EXPECTED_HEADERS["X-Kd-Signature"]


@respx.mock
async def test_signed_session_lost_drops_the_session_and_resends_once() -> None:
    route = respx.post(QUERY_URL).mock(
        side_effect=[
            httpx.Response(200, json=[], headers={"Set-Cookie": "kdservice-sessionid=old"}),
            httpx.Response(200, json=[[SESSION_LOST]]),
            httpx.Response(200, json=[["C001"]], headers={"Set-Cookie": "kdservice-sessionid=new"}),
        ]
    )
    async with connector() as kd:
        await kd.client.query({"FormId": "BD_Customer", "FieldKeys": "FNumber"})
        assert await kd.client.query({"FormId": "BD_Customer", "FieldKeys": "FNumber"}) == [
            ["C001"]
        ]
    assert route.calls[1].request.headers["kdservice-sessionid"] == "old"
    assert "kdservice-sessionid" not in route.calls[2].request.headers


@respx.mock
async def test_session_login_by_app_secret_then_cookie() -> None:
    login = respx.post(LOGIN_URL).respond(
        json={"LoginResultType": 1, "KDSVCSessionId": "sid-9", "Message": None},
        headers={"Set-Cookie": "kdservice-sessionid=sid-9; path=/"},
    )
    query = respx.post(QUERY_URL).respond(json=[])
    async with connector(auth="session") as kd:
        await kd.client.query({"FormId": "BD_Customer", "FieldKeys": "FNumber"})
    assert json.loads(login.calls.last.request.content) == {
        "parameters": [
            VECTOR["acct_id"],
            VECTOR["user_name"],
            VECTOR["app_id"],
            VECTOR["app_secret"],
            2052,
        ]
    }
    sent = query.calls.last.request
    assert sent.headers["kdservice-sessionid"] == "sid-9"
    assert "X-Kd-Signature" not in sent.headers


@respx.mock
async def test_password_login_lost_twice_is_an_auth_error_after_exactly_one_relogin() -> None:
    login = respx.post(VALIDATE_URL).respond(json={"LoginResultType": 1, "KDSVCSessionId": "sid"})
    query = respx.post(QUERY_URL).respond(json=[[SESSION_LOST]])
    async with connector(auth="session", login="password", password="pw-secret-1") as kd:
        with pytest.raises(AuthError) as caught:
            await kd.client.query({"FormId": "BD_Customer", "FieldKeys": "FNumber"})
    assert json.loads(login.calls[0].request.content)["parameters"][2] == "pw-secret-1"
    assert login.call_count == 2
    assert query.call_count == 2
    assert "pw-secret-1" not in str(caught.value)


@respx.mock
async def test_refused_login_names_the_server_reason() -> None:
    respx.post(VALIDATE_URL).respond(json={"LoginResultType": 0, "Message": "用户名或密码错误！"})
    async with connector(auth="session", login="password", password="pw-secret-1") as kd:
        with pytest.raises(AuthError, match="用户名或密码错误"):
            await kd.client.query({"FormId": "BD_Customer", "FieldKeys": "FNumber"})


@respx.mock
async def test_batch_save_body_carries_models_and_external_key() -> None:
    save = respx.post(SAVE_URL).respond(
        json={
            "Result": {
                "ResponseStatus": {
                    "IsSuccess": True,
                    "Errors": [],
                    "SuccessEntitys": [
                        {"Id": 11, "Number": "C9", "DIndex": 0},
                        {"Id": 12, "Number": "C10", "DIndex": 1},
                    ],
                    "SuccessMessages": [],
                    "MsgCode": 0,
                },
                "NeedReturnData": [],
            }
        }
    )
    from decimal import Decimal

    requests = [
        WriteRequest({"FName": "甲公司", "FCreateOrgId": {"FNumber": "100"}}, "hub-1"),
        WriteRequest({"FName": "乙公司", "FCreditAmount": Decimal("1234.50")}, "hub-2"),
    ]
    async with connector() as kd:
        results = await kd.write("customers", requests)
    assert [(r.status, r.remote_id) for r in results] == [("created", "C9"), ("created", "C10")]
    body = json.loads(save.calls.last.request.content)
    assert body == {
        "formid": "BD_Customer",
        "data": {
            "Model": [
                {"FName": "甲公司", "FCreateOrgId": {"FNumber": "100"}, "F_SyncHub_ID": "hub-1"},
                {"FName": "乙公司", "FCreditAmount": "1234.50", "F_SyncHub_ID": "hub-2"},
            ]
        },
    }
    assert save.calls.last.request.url.path.endswith("DynamicFormService.BatchSave.common.kdsvc")


@respx.mock
async def test_batches_are_cut_at_the_configured_size() -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        models = json.loads(request.content)["data"]["Model"]
        entities = [{"Id": i, "Number": f"N{i}", "DIndex": i} for i in range(len(models))]
        status = {"IsSuccess": True, "Errors": [], "SuccessEntitys": entities, "MsgCode": 0}
        return httpx.Response(200, json={"Result": {"ResponseStatus": status}})

    save = respx.post(SAVE_URL).mock(side_effect=reply)
    async with connector(batch_size=2) as kd:
        results = await kd.write(
            "customers", [WriteRequest({"FName": str(i)}, f"k{i}") for i in range(5)]
        )
    assert [len(json.loads(c.request.content)["data"]["Model"]) for c in save.calls] == [2, 2, 1]
    assert [r.index for r in results] == [0, 1, 2, 3, 4]
    assert all(r.status == "created" for r in results)


@respx.mock
async def test_signed_credentials_refused_twice_end_in_auth_error_without_a_loop() -> None:
    route = respx.post(QUERY_URL).respond(json=[[SESSION_LOST]])
    async with connector() as kd:
        with pytest.raises(AuthError):
            await kd.client.query({"FormId": "BD_Customer", "FieldKeys": "FNumber"})
    assert route.call_count == 2


@respx.mock
async def test_secrets_stay_out_of_logs_and_errors(caplog: pytest.LogCaptureFixture) -> None:
    respx.post(VALIDATE_URL).respond(json={"LoginResultType": 0, "Message": "用户名或密码错误！"})
    caplog.set_level("DEBUG")
    async with connector(auth="session", login="password", password="pw-very-secret") as kd:
        with pytest.raises(AuthError) as caught:
            await kd.client.query({"FormId": "BD_Customer", "FieldKeys": "FNumber"})
        result = await kd.check()
    assert not result.ok
    for text in (caplog.text, str(caught.value), result.message):
        assert "pw-very-secret" not in text
        assert VECTOR["app_secret"] not in text
