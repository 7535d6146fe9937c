"""Connector base URLs are validated for every connector type: http(s), a host, no credentials.

Every installed connector type is taken from the registry and every URL field
of its config model is fed URLs that must never be used: other schemes (file,
ftp, gopher, javascript, data), credentials in the URL, no host, a query or
fragment, CR LF, NUL, tabs and spaces, a port that is not one, unparseable
brackets. Each is refused naming the field, through the config model, the web
form and the API alike; URLs a vendor hands back at run time (Zoho's
``api_domain``, YonBIP's discovered gateway) pass the same checks.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from web_support import LiveServer

from connectors.sdk import ConfigError, ConnectorError, registry

SignIn = Callable[..., tuple[httpx.Client, str]]
PLANTED = "pw-in-url-5c3e9a"
BAD_URLS = [
    "ftp://erp.example.cn/k3cloud",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "gopher://127.0.0.1:6379/_INFO",
    "data:text/plain,hello",
    f"http://admin:{PLANTED}@erp.example.cn",
    f"https://:{PLANTED}@erp.example.cn",
    "http://@erp.example.cn",
    "http://",
    "//erp.example.cn",
    "erp.example.cn",
    "http://erp.example.cn/?token=abc",
    "http://erp.example.cn/#top",
    "http://erp.example.cn\r\nX-Injected: 1",
    "http://erp.exa\r\nmple.cn",
    "http://erp.example.cn/\x00",
    "http://erp.example.cn\tx",
    "http://erp example.cn",
    "http://erp.example.cn:99999",
    "http://erp.example.cn:0",
    "http://[::1",
]
GOOD_URLS = ["http://127.0.0.1:8080", "https://erp.example.cn", "https://erp.example.cn/k3cloud/"]


def types() -> list[str]:
    return registry.names()


def base_config(name: str) -> dict[str, Any]:
    """A valid config of connector type ``name`` (from its sandbox), aimed nowhere."""
    cls = registry.load(name)
    assert cls.sandbox, f"{name} ships no sandbox"
    factory = registry.resolve(cls.sandbox)
    try:
        sandbox = factory(seed=0, companies=1)
    except TypeError:
        sandbox = factory(seed=0)
    config: dict[str, Any] = sandbox.connector_config("http://127.0.0.1:9")
    return config


def url_fields(name: str) -> list[str]:
    return [f for f in registry.load(name).config_model.model_fields if f.endswith("url")]


def test_every_connector_type_is_covered() -> None:
    assert set(types()) >= {"zoho-crm", "kingdee", "yonyou-bip", "yonyou-u8", "jira", "zentao"}
    for name in types():
        assert url_fields(name), f"{name} has no URL field to validate"


@pytest.mark.parametrize("name", types())
def test_bad_urls_are_refused_naming_the_field_and_never_echoing_a_password(name: str) -> None:
    cls = registry.load(name)
    base = base_config(name)
    fields = url_fields(name)
    for url in GOOD_URLS:
        cls.parse_config({**base, **dict.fromkeys(fields, url)})
    outcomes = {}
    for field in fields:
        for url in BAD_URLS:
            try:
                cls.parse_config({**base, field: url})
            except ConfigError as exc:
                outcomes[(field, url)] = str(exc)
            else:
                outcomes[(field, url)] = "accepted"
    assert [key for key, message in outcomes.items() if message == "accepted"] == []
    assert [key for key, message in outcomes.items() if key[0] not in message] == []
    assert [key for key, message in outcomes.items() if PLANTED in message] == []


def test_the_web_form_and_the_api_refuse_a_url_with_credentials(
    live: LiveServer, sign_in: SignIn
) -> None:
    client, csrf = sign_in("admin")
    config = base_config("zentao")
    form = {
        "csrf_token": csrf,
        "type": "zentao",
        "name": "pm",
        "enabled": "on",
        **{k: str(v) for k, v in config.items() if not isinstance(v, dict)},
        "base_url": f"http://sync:{PLANTED}@pm.example.cn/zentao",
    }
    page = client.post("/connectors/new", data=form)
    assert page.status_code == 422
    assert "must not" in page.text
    assert PLANTED not in page.text
    api = client.put(
        "/api/connectors/pm",
        json={"type": "zentao", "config": {**config, "base_url": form["base_url"]}},
        headers={"X-CSRF-Token": csrf},
    )
    assert api.status_code == 422
    assert "base_url" in api.text
    assert PLANTED not in api.text
    assert client.get("/api/connectors").json()["total"] == 0


def vendor(answers: dict[str, dict[str, Any]], seen: list[str]) -> httpx.MockTransport:
    """A vendor answering JSON by path, recording every URL it was asked for."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json=answers.get(request.url.path, {}))

    return httpx.MockTransport(handle)


@pytest.mark.parametrize(
    "returned", ["file:///etc", f"https://x:{PLANTED}@evil.example", "http://a b"]
)
def test_a_url_handed_back_by_the_vendor_is_checked_before_use(returned: str) -> None:
    seen: list[str] = []
    zoho_cls = registry.load("zoho-crm")
    token = {"access_token": "1000.abc", "api_domain": returned, "expires_in": 3600}
    zoho = zoho_cls(
        {**base_config("zoho-crm"), "http": {"max_attempts": 1}},
        transport=vendor({"/oauth/v2/token": token}, seen),
    )
    result = asyncio.run(zoho.check())
    assert not result.ok
    assert "api_domain" in result.message
    assert PLANTED not in result.message
    assert all(url.startswith("http://127.0.0.1:9/") for url in seen), seen

    seen.clear()
    bip_cls = registry.load("yonyou-bip")
    discovered = {"code": "00000", "data": {"gatewayUrl": returned, "tokenUrl": returned}}
    bip = bip_cls(
        {**base_config("yonyou-bip"), "http": {"max_attempts": 1}},
        transport=vendor({"/open-auth/dataCenter/getGatewayAddress": discovered}, seen),
    )

    async def read_once() -> None:
        async with bip:
            async for _page in bip.read("customers"):
                break

    with pytest.raises(ConnectorError) as caught:
        asyncio.run(read_once())
    assert "discovered URL is unusable" in str(caught.value)
    assert PLANTED not in json.dumps(str(caught.value))
    assert all(url.startswith("http://127.0.0.1:9/") for url in seen), seen
