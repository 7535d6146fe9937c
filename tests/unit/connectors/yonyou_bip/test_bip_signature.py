"""The self-built app signature and token request, pinned for a fixed clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs

import pytest
import respx

from connectors.yonyou_bip import YonyouBipConnector
from connectors.yonyou_bip.signing import signing_text, token_signature

APP_KEY = "41832a3d2df94989b500da6a22268747"
APP_SECRET = "0c7d9f0e8a2b4c6d8e0f1a2b3c4d5e6f"
FIXED_MS = 1568098531823
# Computed once with the documented algorithm and pinned: a change here is a protocol change.
PINNED = "H/NVOaA2zosLiqtokZZU16mX+5IqRel+Gs4oXcIYUsg="


def test_signing_text_sorts_names_and_skips_signature() -> None:
    params = {"timestamp": "2", "signature": "x", "appKey": "k"}
    assert signing_text(params) == "appKeyktimestamp2"


def test_signature_is_base64_hmac_sha256_of_name_value_pairs() -> None:
    expected = base64.b64encode(
        hmac.new(
            APP_SECRET.encode(), f"appKey{APP_KEY}timestamp{FIXED_MS}".encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert token_signature(APP_KEY, APP_SECRET, str(FIXED_MS)) == expected


def test_signature_for_the_fixed_clock_is_pinned() -> None:
    assert token_signature(APP_KEY, APP_SECRET, str(FIXED_MS)) == PINNED


def test_signature_changes_with_any_input() -> None:
    base = token_signature(APP_KEY, APP_SECRET, str(FIXED_MS))
    assert token_signature(APP_KEY, APP_SECRET, str(FIXED_MS + 1)) != base
    assert token_signature(APP_KEY + "x", APP_SECRET, str(FIXED_MS)) != base
    assert token_signature(APP_KEY, APP_SECRET + "x", str(FIXED_MS)) != base


@respx.mock
async def test_token_request_carries_millisecond_timestamp_and_signature_encoded_once() -> None:
    token = respx.get(
        "https://c2.example/iuap-api-auth/open-auth/selfAppAuth/base/v1/getAccessToken"
    ).respond(
        json={
            "code": "00000",
            "message": "成功！",
            "data": {"access_token": "t+k/n=", "expire": 7200},
        }
    )
    listing = respx.post(
        "https://c2.example/iuap-api-gateway/yonbip/digitalModel/merchant/newlist"
    ).respond(json={"code": 200, "message": "操作成功", "data": []})
    connector = YonyouBipConnector(
        {
            "app_key": APP_KEY,
            "app_secret": APP_SECRET,
            "token_url": "https://c2.example/iuap-api-auth",
            "gateway_url": "https://c2.example/iuap-api-gateway",
        },
        clock=lambda: FIXED_MS / 1000,
    )
    result = await connector.check()
    assert result.ok, result.message
    raw_query = token.calls.last.request.url.query.decode()
    assert "%25" not in raw_query  # never double-encoded
    query = parse_qs(raw_query)
    assert query == {"appKey": [APP_KEY], "timestamp": [str(FIXED_MS)], "signature": [PINNED]}
    business = listing.calls.last.request.url
    assert business.params["access_token"] == "t+k/n="  # decoded once, exactly the token
    assert "Authorization" not in listing.calls.last.request.headers
    await connector.aclose()


@respx.mock
async def test_refused_token_is_an_auth_failure_with_the_vendor_words() -> None:
    respx.get(url__regex=r".*/getAccessToken.*").respond(
        json={"code": "10018", "message": "应用不存在或appKey已停用"}
    )
    connector = YonyouBipConnector(
        {
            "app_key": "nope",
            "app_secret": "s3cret-value",
            "token_url": "https://a.example",
            "gateway_url": "https://g.example",
        }
    )
    result = await connector.check()
    assert not result.ok
    assert "应用不存在" in result.message
    assert "s3cret-value" not in result.message
    await connector.aclose()


def test_config_refuses_half_routing_and_credentials_in_urls() -> None:
    from connectors.sdk import ConfigError

    with pytest.raises(ConfigError, match="token_url and gateway_url"):
        YonyouBipConnector({"app_key": "k", "app_secret": "s", "token_url": "https://a.example"})
    with pytest.raises(ConfigError, match="tenant_id"):
        YonyouBipConnector({"app_key": "k", "app_secret": "s"})
    with pytest.raises(ConfigError, match="credentials"):
        YonyouBipConnector(
            {
                "app_key": "k",
                "app_secret": "s",
                "tenant_id": "t",
                "discovery_url": "https://u:p@x.example",
            }
        )
    with pytest.raises(ConfigError, match="http"):
        YonyouBipConnector(
            {
                "app_key": "k",
                "app_secret": "s",
                "tenant_id": "t",
                "discovery_url": "ftp://x.example",
            }
        )
