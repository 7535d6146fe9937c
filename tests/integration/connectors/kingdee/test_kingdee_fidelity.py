"""Fidelity: Kingdee's own Python SDK (kingdee-cdp-webapi-sdk, unchanged) against the sandbox.

The SDK signs every call itself (v8 signed headers), parses cookies its own way
and reads replies as text; if the sandbox's routing, signature check, session
cookie or envelopes drifted from the real server's, this is where it shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from k3cloud_webapi_sdk.main import K3CloudApiSdk

from connectors.kingdee.sandbox import KingdeeSandbox
from connectors.sdk.sandbox import SandboxServer


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(KingdeeSandbox(seed=3, companies=4)) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests honours proxy variables; the sandbox is on loopback."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def official_sdk(server: SandboxServer, **changes: str) -> K3CloudApiSdk:
    creds = {**server.credentials(), **changes}
    sdk = K3CloudApiSdk(creds["base_url"])
    sdk.InitConfig(
        creds["acct_id"],
        creds["user_name"],
        creds["app_id"],
        creds["app_secret"],
        creds["base_url"],
        creds["lcid"],
    )
    return sdk


def test_official_sdk_saves_a_customer_and_queries_it_back(server: SandboxServer) -> None:
    sandbox = server.sandbox
    assert isinstance(sandbox, KingdeeSandbox)
    signed_before = sandbox.sessions.signed_sessions
    sdk = official_sdk(server)
    saved = json.loads(
        sdk.Save(
            "BD_Customer",
            {
                "Model": {
                    "FCUSTID": 0,
                    "FCreateOrgId": {"FNumber": "100"},
                    "FUseOrgId": {"FNumber": "100"},
                    "FNumber": "FID0001",
                    "FName": "官方SDK测试科技有限公司",
                    "FSOCIALCRECODE": "91350100M000100Y43",
                    "FTRADINGCURRID": {"FNumber": "PRE001"},
                }
            },
        )
    )
    status = saved["Result"]["ResponseStatus"]
    assert status["IsSuccess"] is True, status
    assert status["SuccessEntitys"][0]["Number"] == "FID0001"
    assert saved["Result"]["Number"] == "FID0001"

    rows = json.loads(
        sdk.ExecuteBillQuery(
            {
                "FormId": "BD_Customer",
                "FieldKeys": "FNumber,FName,FSOCIALCRECODE,FCreateOrgId.FNumber,FDocumentStatus",
                "FilterString": "FNumber = 'FID0001'",
                "OrderString": "FNumber ASC",
                "TopRowCount": 0,
                "StartRow": 0,
                "Limit": 2000,
            }
        )
    )
    assert rows == [["FID0001", "官方SDK测试科技有限公司", "91350100M000100Y43", "100", "A"]]
    # The first call was judged on the SDK's signature; the second rode the session cookie.
    assert sandbox.sessions.signed_sessions == signed_before + 1


def test_official_sdk_with_a_wrong_secret_meets_session_lost(server: SandboxServer) -> None:
    sdk = official_sdk(server, app_secret="0" * 32)
    reply = json.loads(sdk.ExecuteBillQuery({"FormId": "BD_Customer", "FieldKeys": "FNumber"}))
    status = reply[0][0]["Result"]["ResponseStatus"]
    assert status["MsgCode"] == 1
    assert status["Errors"][0]["Message"] == "会话信息已丢失，请重新登录"


def test_official_sdk_with_a_wrong_data_centre_gets_a_non_200(server: SandboxServer) -> None:
    sdk = official_sdk(server, acct_id="00000000000000")
    with pytest.raises(RuntimeError, match="Fail to verify thirty passport"):
        sdk.ExecuteBillQuery({"FormId": "BD_Customer", "FieldKeys": "FNumber"})


def test_official_sdk_sees_response_error_as_an_exception(server: SandboxServer) -> None:
    sandbox = server.sandbox
    assert isinstance(sandbox, KingdeeSandbox)
    sandbox.inject_response_error("ExecuteBillQuery", message="数据库连接超时")
    with pytest.raises(RuntimeError, match="数据库连接超时"):
        official_sdk(server).ExecuteBillQuery({"FormId": "BD_Customer", "FieldKeys": "FNumber"})
