"""Webhooks (``POST /hooks/{instance}``) verify signatures and reject replays, for every connector type.

Each installed connector type gets an instance stored from the admin UI's store
(its webhook secret encrypted at rest) and served by the whole app over a real
socket. Unsigned, wrongly signed, tampered, other-algorithm and secret-less
deliveries get a bare 401; a delivery sent again, sent again under a fresh
delivery id, or carrying a send time outside the window gets a bare 409; only a
correctly signed, fresh delivery is accepted (202).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import Engine
from test_security_urls import base_config
from web_support import LiveServer

from connectors.sdk import registry
from connectors.sdk.webhooks import hmac_signature
from hub.config_store import SecretBox, save_connector
from hub.settings import Settings

SECRET = "whk-7Qm2-planted-for-webhooks"


def instance(name: str) -> str:
    return name.replace("-", "_")


@pytest.fixture
def hooks(live: LiveServer, hub_settings: Settings, hub_engine: Engine) -> Iterator[httpx.Client]:
    """Every connector type stored with a webhook secret (one without), and a client for /hooks."""
    box = SecretBox.from_secret(hub_settings.secret_key or SecretStr(""))
    assert box is not None
    for name in registry.names():
        save_connector(
            hub_engine,
            hub_settings,
            box,
            instance(name),
            name,
            {**base_config(name), "webhook_secret": SECRET},
            actor="test",
        )
    save_connector(hub_engine, hub_settings, box, "bare", "jira", base_config("jira"), actor="test")
    with httpx.Client(base_url=live.url, timeout=30) as client:
        yield client


def body(**extra: Any) -> bytes:
    payload = {"timestamp": int(time.time() * 1000), "issue": {"id": "10001"}, **extra}
    return json.dumps(payload).encode()


def signed(content: bytes, secret: str = SECRET, **headers: str) -> dict[str, str]:
    return {"X-Hub-Signature": hmac_signature(secret, content), **headers}


@pytest.mark.parametrize("name", registry.names())
def test_only_a_correctly_signed_delivery_is_accepted(hooks: httpx.Client, name: str) -> None:
    path = f"/hooks/{instance(name)}"
    content = body(n=name)
    refused = {
        "unsigned": hooks.post(path, content=content),
        "wrong secret": hooks.post(path, content=content, headers=signed(content, "guess")),
        "tampered": hooks.post(
            path, content=content.replace(b"10001", b"10002"), headers=signed(content)
        ),
        "sha1": hooks.post(path, content=content, headers={"X-Hub-Signature": "sha1=abc"}),
        "empty": hooks.post(path, content=content, headers={"X-Hub-Signature": "sha256="}),
        "token in body": hooks.post(path, content=body(token="guess")),
        "not json": hooks.post(path, content=b"\xff\xfe", headers={"X-Hub-Signature": "x"}),
    }
    assert {k: (r.status_code, r.content) for k, r in refused.items()} == dict.fromkeys(
        refused, (401, b"")
    )
    accepted = hooks.post(path, content=content, headers=signed(content))
    assert accepted.status_code == 202


def test_an_instance_without_a_secret_or_unknown_refuses_everything(hooks: httpx.Client) -> None:
    content = body()
    for path in ("/hooks/bare", "/hooks/nobody", "/hooks/" + "x" * 300):
        for headers in ({}, signed(content), signed(content, "")):
            answer = hooks.post(path, content=content, headers=headers)
            assert (answer.status_code, answer.content) == (401, b""), (path, headers)


def test_replays_are_refused_even_under_a_fresh_delivery_id(hooks: httpx.Client) -> None:
    path = "/hooks/jira"
    content = body()
    first = hooks.post(path, content=content, headers=signed(content, **{"X-Delivery-Id": "d-1"}))
    assert first.status_code == 202
    again = {
        "same delivery": signed(content, **{"X-Delivery-Id": "d-1"}),
        "fresh delivery id": signed(content, **{"X-Delivery-Id": "d-2"}),
        "fresh Atlassian id": signed(content, **{"X-Atlassian-Webhook-Identifier": "a-9"}),
        "no delivery id": signed(content),
    }
    answers = {
        k: hooks.post(path, content=content, headers=h).status_code for k, h in again.items()
    }
    assert answers == dict.fromkeys(again, 409)
    for sent in (time.time() - 3600, time.time() + 3600):
        stale = json.dumps({"timestamp": int(sent * 1000), "issue": {"id": "1"}}).encode()
        answer = hooks.post(path, content=stale, headers=signed(stale))
        assert (answer.status_code, answer.content) == (409, b"")


def test_webhooks_need_no_csrf_token_and_leak_nothing(hooks: httpx.Client) -> None:
    content = body(n="csrf")
    answer = hooks.post(
        "/hooks/zoho_crm",
        content=content,
        headers={**signed(content), "Cookie": "synchub_session=forged"},
    )
    assert answer.status_code == 202
    assert SECRET not in answer.text
