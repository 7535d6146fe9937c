"""Every route checks the caller's role: anonymous callers are sent away, roles see only theirs."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from web_support import LiveServer

from hub.web.routers import PUBLIC_PATHS, PUBLIC_PREFIXES, app_routes


def concrete(path: str) -> str:
    """A path with every parameter filled with a plausible value."""
    return re.sub(r"\{[^}]+\}", "1", path.replace("{path:path}", "zoho_crm/customer.yaml"))


def routes(live: LiveServer) -> list[tuple[str, str]]:
    """(method, concrete path) of every non-public route of the app."""
    found = []
    for route in app_routes(live.app):
        if route.path not in PUBLIC_PATHS and not route.path.startswith(PUBLIC_PREFIXES):
            for method in sorted(route.methods):
                found.append((method, concrete(route.path)))
    return found


def test_anonymous_request_to_any_route_is_redirected_or_refused(live: LiveServer) -> None:
    found = routes(live)
    assert len(found) > 40
    with httpx.Client(base_url=live.url, follow_redirects=False) as client:
        for method, path in found:
            answer = client.request(method, path)
            if path.startswith(("/api/", "/openapi.json", "/docs")):
                assert answer.status_code == 401, (method, path, answer.status_code)
                assert answer.headers["content-type"].startswith("application/problem+json")
            else:
                assert answer.status_code == 303, (method, path, answer.status_code)
                assert answer.headers["location"].startswith("/login")


def test_bad_token_is_401(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url) as client:
        answer = client.get("/api/me", headers={"Authorization": "Bearer shub_not-a-token"})
    assert answer.status_code == 401


def test_viewer_cannot_change_anything(
    live: LiveServer, sign_in: Callable[..., tuple[httpx.Client, str]]
) -> None:
    client, csrf = sign_in("viewer")
    changed = []
    for method, path in routes(live):
        if method in ("GET", "HEAD") or path in ("/logout",) or path.startswith("/account"):
            continue
        if path in ("/api/tokens",) or path.startswith("/api/tokens/"):
            continue  # a user's own API tokens act with that user's (read-only) role
        answer = client.request(method, path, headers={"X-CSRF-Token": csrf})
        if answer.status_code != 403:
            changed.append((method, path, answer.status_code))
    assert changed == []


@pytest.mark.parametrize(
    "path", ["/connectors", "/connectors/new", "/api/connectors", "/api/connector-types"]
)
def test_finance_never_sees_connector_settings(
    sign_in: Callable[..., tuple[httpx.Client, str]], path: str
) -> None:
    client, _csrf = sign_in("finance")
    assert client.get(path).status_code == 403
    assert "/connectors" not in client.get("/").text


def test_operator_may_operate_but_not_configure(
    sign_in: Callable[..., tuple[httpx.Client, str]],
) -> None:
    client, csrf = sign_in("operator")
    assert client.get("/connectors").status_code == 200
    assert client.get("/connectors/new").status_code == 403
    assert client.get("/users").status_code == 403
    refused = client.put(
        "/api/connectors/x", json={"type": "zoho-crm", "config": {}}, headers={"X-CSRF-Token": csrf}
    )
    assert refused.status_code == 403
