"""CSRF on every state-changing route, secrets never shown or logged, throttled logins, hashed tokens."""

from __future__ import annotations

import logging
import re

import httpx
import pytest
from sqlalchemy import Engine, text
from web_fixtures import SignIn
from web_support import CSRF_RE, LiveServer, password_of

from hub.web.routers import PUBLIC_PREFIXES, app_routes

SECRET = "zz-client-secret-9f8e7d6c5b4a"
REFRESH = "1000.refresh-token-0a1b2c3d4e5f"


def state_changing(live: LiveServer) -> list[tuple[str, str]]:
    """(method, path) of every route that changes something under a session.

    Vendor webhooks (``/hooks/``) take no session and no CSRF token: they verify the
    vendor's signature instead (tests/integration/webhooks).
    """
    return [
        (
            method,
            re.sub(r"\{[^}]+\}", "1", route.path.replace("{path:path}", "zoho_crm/customer.yaml")),
        )
        for route in app_routes(live.app)
        for method in sorted(route.methods)
        if method not in ("GET", "HEAD") and not route.path.startswith(PUBLIC_PREFIXES)
    ]


def test_every_form_post_without_csrf_token_is_refused(live: LiveServer, sign_in: SignIn) -> None:
    client, _csrf = sign_in("admin")
    accepted = []
    for method, path in state_changing(live):
        answer = client.request(method, path, data={"name": "x"})
        if answer.status_code != 403 or "CSRF" not in answer.text:
            accepted.append((method, path, answer.status_code))
    assert accepted == []
    # and a wrong token is no better than none
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403


def test_login_form_needs_its_csrf_cookie(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url) as client:
        answer = client.post("/login", data={"username": "admin", "password": password_of("admin")})
        assert answer.status_code == 403


def test_login_is_throttled_after_repeated_failures(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, follow_redirects=False) as client:
        for _ in range(5):
            token = CSRF_RE.search(client.get("/login").text)
            assert token is not None
            wrong = client.post(
                "/login",
                data={
                    "username": "operator",
                    "password": "wrong password!",
                    "csrf_token": token.group(1),
                },
            )
            assert wrong.status_code == 401
        token = CSRF_RE.search(client.get("/login").text)
        assert token is not None
        right = client.post(
            "/login",
            data={
                "username": "operator",
                "password": password_of("operator"),
                "csrf_token": token.group(1),
            },
        )
        assert right.status_code == 429
        assert "synchub_session" not in right.headers.get("set-cookie", "")


def test_session_cookie_flags(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, follow_redirects=False) as client:
        token = CSRF_RE.search(client.get("/login").text)
        assert token is not None
        answer = client.post(
            "/login",
            data={
                "username": "admin",
                "password": password_of("admin"),
                "csrf_token": token.group(1),
            },
        )
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        assert "secure" not in cookie  # plain http here; https sets it


def test_api_token_is_shown_once_and_stored_hashed(
    live: LiveServer, sign_in: SignIn, hub_engine: Engine
) -> None:
    client, csrf = sign_in("operator")
    page = client.post("/account/tokens", data={"name": "ci", "csrf_token": csrf})
    token = re.search(r'<pre id="new-token">(shub_[^<]+)</pre>', page.text)
    assert token is not None
    assert token.group(1) not in client.get("/account").text
    with hub_engine.connect() as conn:
        stored = conn.execute(text("select token_hash, prefix from api_token")).all()
    assert all(token.group(1) not in row.token_hash for row in stored)
    with httpx.Client(base_url=live.url) as api:
        assert api.get("/api/me", headers={"Authorization": f"Bearer {token.group(1)}"}).json() == {
            "name": "operator",
            "role": "operator",
        }


@pytest.mark.slow
def test_stored_secret_never_appears_in_pages_api_or_logs(
    live: LiveServer, sign_in: SignIn, hub_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client, csrf = sign_in("admin")
    form = {
        "csrf_token": csrf,
        "type": "zoho-crm",
        "name": "crm",
        "enabled": "on",
        "data_centre": "cn",
        "accounts_url": "http://127.0.0.1:9",
        "client_id": "1000.CLIENT",
        "client_secret": SECRET,
        "refresh_token": REFRESH,
    }
    assert client.post("/connectors/new", data=form).status_code == 303
    with hub_engine.connect() as conn:
        raw = " ".join(
            str(v) for row in conn.execute(text("select * from connector_config")) for v in row
        )
        audit = " ".join(str(v) for row in conn.execute(text("select * from audit")) for v in row)
    assert SECRET not in raw
    assert REFRESH not in raw
    assert SECRET not in audit
    # an invalid edit is answered with field errors, not with the secret typed into it
    bad = client.post("/connectors/crm", data={**form, "data_centre": "mars"})
    assert bad.status_code == 422
    bodies = [bad.text, client.post("/connectors/crm/check", data={"csrf_token": csrf}).text]
    for route in app_routes(live.app):
        if "GET" in route.methods and "{" not in route.path:
            bodies.append(client.get(route.path).text)
    bodies += [
        client.get(p).text for p in ("/connectors/crm", "/api/connectors/crm", "/audit", "/runs")
    ]
    token = re.search(
        r"(shub_[\w-]+)",
        client.post("/account/tokens", data={"name": "t", "csrf_token": csrf}).text,
    )
    assert token is not None
    with httpx.Client(
        base_url=live.url, headers={"Authorization": f"Bearer {token.group(1)}"}
    ) as api:
        bodies += [
            api.get(p).text
            for p in (
                "/api/connectors",
                "/api/connectors/crm",
                "/api/connector-types",
                "/openapi.json",
            )
        ]
        bodies.append(
            api.put(
                "/api/connectors/crm",
                json={"type": "zoho-crm", "config": {"data_centre": "xx", "client_secret": SECRET}},
            ).text
        )
    captured = "\n".join([*bodies, caplog.text])
    assert SECRET not in captured
    assert REFRESH not in captured
    assert any('"name":"crm"' in body for body in bodies)  # the API did show the instance


def test_secrets_rotate_reencrypts_with_the_new_key(hub_engine: Engine, tmp_path: object) -> None:
    from pydantic import SecretStr

    from hub.config_store import (
        SecretBox,
        effective_settings,
        generate_key,
        rotate_secrets,
        save_connector,
    )
    from hub.settings import load_settings

    old, new = generate_key(), generate_key()
    url = str(hub_engine.url)
    before = load_settings(None, database_url=url, secret_key=old)
    save_connector(
        hub_engine,
        before,
        SecretBox.from_secret(SecretStr(old)),
        "crm",
        "zoho-crm",
        {
            "data_centre": "cn",
            "client_id": "1000.C",
            "client_secret": SECRET,
            "refresh_token": REFRESH,
        },
        actor="t",
    )
    both = SecretBox.from_secret(SecretStr(f"{new},{old}"))
    assert both is not None
    assert rotate_secrets(hub_engine, both, actor="t") == 1
    after = effective_settings(load_settings(None, database_url=url, secret_key=new), hub_engine)
    assert after.connectors["crm"].config["client_secret"] == SECRET
