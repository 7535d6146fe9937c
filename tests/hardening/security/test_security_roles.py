"""Every UI and API route enforces the role it declares, and the declarations follow the policy.

The routes are enumerated from the app (``hub.web.routers.app_routes``), so a
page added by any area is covered the day it is registered. For each route the
roles it accepts are read from its ``require_role`` dependency; then an
anonymous caller, a viewer (by session and by API token), a finance user and
an operator each call it, and must be let in exactly when the route says so:
anonymous callers are sent to the login (pages) or get 401 (API), a role the
route does not name gets 403, and a role it names is never refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from fastapi.dependencies.models import Dependant
from web_support import LiveServer

from hub.web.routers import PUBLIC_PATHS, PUBLIC_PREFIXES, app_routes

SignIn = Callable[..., tuple[httpx.Client, str]]
API = ("/api/", "/openapi.json", "/docs")
SELF_SERVICE = ("/logout", "/account", "/api/tokens")
"""Routes acting on the caller's own session, password and tokens: every role may use them."""


@dataclass(frozen=True)
class Route:
    """One method and path of the app, the path filled in, and the roles it accepts."""

    method: str
    template: str
    path: str
    roles: frozenset[str]


def accepted_roles(dependant: Dependant) -> frozenset[str] | None:
    """The roles named by the route's ``require_role`` dependency (admin always included)."""
    for sub in dependant.dependencies:
        name = getattr(sub.call, "__name__", "")
        if name.startswith("require_"):
            return frozenset(name.removeprefix("require_").split("_")) | {"admin"}
        found = accepted_roles(sub)
        if found is not None:
            return found
    return None


def concrete(path: str) -> str:
    filled = path.replace("{path:path}", "zoho_crm/customer.yaml").replace(
        "{table}.{fmt}", "contracts.csv"
    )
    return re.sub(r"\{[^}]+\}", "1", filled)


def routes(live: LiveServer) -> list[Route]:
    found = []
    for route in app_routes(live.app):
        if route.path in PUBLIC_PATHS or route.path.startswith(PUBLIC_PREFIXES):
            continue
        roles = accepted_roles(route.dependant)
        if route.path == "/logout":  # ends the caller's own session, if any: open to everyone
            roles = frozenset({"admin", "operator", "finance", "viewer"})
        assert roles is not None, f"{route.path} checks no role"
        for method in sorted(route.methods):
            found.append(Route(method, route.path, concrete(route.path), roles))
    return found


def test_every_route_declares_a_role_that_follows_the_policy(live: LiveServer) -> None:
    table = routes(live)
    assert len(table) > 60
    broken = []
    for route in table:
        writes = route.method not in ("GET", "HEAD")
        own = route.path.startswith(SELF_SERVICE)
        if writes and not own and "viewer" in route.roles:
            broken.append((route, "a viewer may change something"))
        if "connector" in route.template and "finance" in route.roles:
            broken.append((route, "finance may see connector settings"))
        if route.template.startswith("/finance") and route.roles != {"admin", "finance"}:
            broken.append((route, "the finance workspace is for finance"))
        if route.template.startswith(("/users", "/audit")) and route.roles != {"admin"}:
            broken.append((route, "users and the audit log are for admins"))
        saves = ("/mappings/save", "/pipelines/save", "/pipelines/new", "/connectors/new")
        if route.template.startswith(saves) and route.roles != {"admin"}:
            broken.append((route, "configuration is changed by admins only"))
        connector = route.template.startswith(("/api/connectors/{name}", "/connectors/{name}"))
        checks = route.template.endswith("/check")
        if writes and connector and not checks and route.roles != {"admin"}:
            broken.append((route, "connector settings are changed by admins only"))
    assert broken == []


def test_anonymous_callers_are_sent_to_sign_in_everywhere(live: LiveServer) -> None:
    wrong = []
    with httpx.Client(base_url=live.url, follow_redirects=False, timeout=30) as client:
        for route in routes(live):
            answer = client.request(route.method, route.path)
            if route.path.startswith(API):
                ok = answer.status_code == 401 and answer.headers.get(
                    "content-type", ""
                ).startswith("application/problem+json")
            else:
                ok = answer.status_code == 303 and answer.headers["location"].startswith("/login")
            if not ok:
                wrong.append((route.method, route.path, answer.status_code))
    assert wrong == []


def call(client: httpx.Client, csrf: str, route: Route) -> httpx.Response:
    return client.request(route.method, route.path, headers={"X-CSRF-Token": csrf})


def test_each_role_is_let_in_exactly_where_the_route_says(
    live: LiveServer, sign_in: SignIn
) -> None:
    wrong: list[tuple[str, ...]] = []
    for role in ("viewer", "finance", "operator"):
        wrong += role_mismatches(live, sign_in, role)
    assert wrong == []


def role_mismatches(live: LiveServer, sign_in: SignIn, role: str) -> list[tuple[str, ...]]:
    """Routes that refuse ``role`` although they accept it, or let it in although they do not."""
    client, csrf = sign_in(role)
    wrong = []
    for route in routes(live):
        allowed = role in route.roles
        writes = route.method not in ("GET", "HEAD")
        if allowed and (writes or route.path == "/logout"):
            continue  # an allowed change needs a real payload: the area's own tests do that
        answer = call(client, csrf, route)
        if allowed and (answer.status_code in (401, 403) or answer.status_code >= 500):
            wrong.append((role, route.method, route.path, str(answer.status_code), "refused"))
        if not allowed and answer.status_code != 403:
            wrong.append((role, route.method, route.path, str(answer.status_code), "let in"))
    assert client.get("/api/me").json()["role"] == role  # still signed in: nothing logged out
    return wrong


def test_a_viewers_api_token_has_the_viewers_rights_only(live: LiveServer, sign_in: SignIn) -> None:
    client, csrf = sign_in("viewer")
    created = client.post("/api/tokens", json={"name": "ci"}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    wrong = []
    with httpx.Client(
        base_url=live.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        for route in routes(live):
            if not route.path.startswith("/api/") or route.path.startswith("/api/tokens"):
                continue
            answer = api.request(route.method, route.path)
            allowed = "viewer" in route.roles
            if allowed and answer.status_code in (401, 403):
                wrong.append((route.method, route.path, answer.status_code))
            if not allowed and answer.status_code != 403:
                wrong.append((route.method, route.path, answer.status_code))
        assert api.get("/api/me").json() == {"name": "viewer", "role": "viewer"}
    assert wrong == []
