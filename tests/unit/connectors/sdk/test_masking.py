"""Secrets never reach captured logs: registered SecretStr values and credential-shaped text."""

from __future__ import annotations

import logging

import pytest
import respx
from pydantic import SecretStr

from connectors.sdk import (
    ConnectorConfig,
    HttpClient,
    MaskingFormatter,
    VendorError,
    install_log_masking,
    mask_text,
    mask_url,
)
from connectors.sdk.masking import register_model_secrets

SECRET = "s3cr3t-Zq81-unique-value"
TOKEN = "1000.tok3n.abcdefghijklmnop"


class DemoConfig(ConnectorConfig):
    client_secret: SecretStr


@pytest.fixture(autouse=True)
def masking() -> None:
    install_log_masking()


def test_registered_secret_is_masked_anywhere_in_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    register_model_secrets(DemoConfig(client_secret=SecretStr(SECRET)))
    with caplog.at_level(logging.INFO):
        logging.getLogger("demo").info("connecting with %s and %r", SECRET, {"nested": SECRET})
    assert SECRET not in caplog.text
    assert "***" in caplog.text


@respx.mock
async def test_token_in_url_never_appears_in_httpx_logs(caplog: pytest.LogCaptureFixture) -> None:
    respx.get("https://api.example.com/list").respond(json={})
    http = HttpClient(connector="demo")
    with caplog.at_level(logging.DEBUG):
        await http.request("GET", f"https://api.example.com/list?access_token={TOKEN}&page=1")
    assert "api.example.com/list" in caplog.text  # the line is there...
    assert TOKEN not in caplog.text  # ...without the token


def test_traceback_text_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        try:
            raise RuntimeError(f"Authorization: Zoho-oauthtoken {TOKEN}")
        except RuntimeError:
            logging.getLogger("demo").exception("call failed")
    rendered = MaskingFormatter().format(caplog.records[0])  # how our handler renders it
    assert "RuntimeError" in rendered
    assert TOKEN not in rendered


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {TOKEN}",
        f'{{"access_token": "{TOKEN}", "x": 1}}',
        f"refresh_token={TOKEN}&client_id=1",
        f"headers={{'Authorization': 'Zoho-oauthtoken {TOKEN}'}}",
        f'"KDSVCSessionId": "{TOKEN}"',
    ],
)
def test_credential_shaped_text_is_masked(text: str) -> None:
    assert TOKEN not in mask_text(text)


def test_mask_url_hides_userinfo_and_sensitive_params() -> None:
    masked = mask_url(f"https://user:{SECRET}@host/path?token={TOKEN}&page=2")
    assert SECRET not in masked
    assert TOKEN not in masked
    assert "page=2" in masked


def test_ordinary_text_is_left_alone() -> None:
    text = "designation=engineer page=3 Account_Name=测试"
    assert mask_text(text) == text


def test_error_messages_and_endpoints_are_masked() -> None:
    error = VendorError(f"refused, sign={TOKEN}", endpoint=f"https://h/x?access_token={TOKEN}")
    assert TOKEN not in str(error)
    assert "https://h/x" in str(error)
