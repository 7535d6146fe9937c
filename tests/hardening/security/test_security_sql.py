"""SQL is parameterised everywhere: no query is built from text, and injection strings are inert.

Statically, no module of the hub, jobs or connectors builds SQL from a string it
formats, concatenates or joins. Dynamically, on SQLite and PostgreSQL holding a
synced business, injection strings go through every query parameter of every
page and API route (the finance search boxes and filters included), every path
parameter and every form field: nothing answers 5xx, no database error text
leaks into a response, a tautology never shows records a plain miss hides, and
afterwards every table holds what it held (nothing dropped, no role changed).
Mapping values reach the store as parameters too: ``test_badinput_records_sync``
syncs names such as ``Robert'); DROP TABLE customer;--`` and finds them verbatim.
"""

from __future__ import annotations

import ast
import asyncio
import html
import json
import re
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest
from fastapi.routing import APIRoute
from markupsafe import escape
from sqlalchemy import Engine, func, inspect, select, text
from web_support import LiveServer, login

from connectors.sdk.sandbox import SandboxServer
from connectors.zoho_crm.sandbox import ZohoCrmSandbox
from hub.model import ENTITIES
from hub.settings import Settings
from hub.sync.runner import run_pipeline
from hub.web.routers import PUBLIC_PREFIXES, app_routes

REPO = Path(__file__).resolve().parents[3]
INJECTIONS = [
    "' OR '1'='1",
    '1" OR 1=1) --',
    "x'); DROP TABLE customer; --",
    "' UNION SELECT password_hash, name FROM web_user --",
    "'; UPDATE web_user SET role='admin' WHERE name='viewer'; --",
    "\\'; SELECT 1; $$ --",
]
"""Quote breaking (single, double, backslash, dollar), tautologies, stacked writes, unions."""
PATH_AND_FORM = INJECTIONS[::2]
"""A subset for path parameters and form fields, which are checked by name before any query."""
LEAKS = re.compile(
    r"(?i)syntax error|OperationalError|ProgrammingError|DataError|sqlite3\.|psycopg|"
    r"Traceback|SELECT .* FROM|unterminated quoted|sqlalchemy"
)
ALLOWED_FORMATTED_SQL = {
    ("hub/store/migrations/versions/finance_0001_views_and_reconciliation.py", "DROP VIEW"),
}
"""(file, words) of SQL built from text that is not input: view names from a module constant."""


# -- static -----------------------------------------------------------------------------------
def formatted(node: ast.expr) -> bool:
    """Whether an expression builds a string at run time (f-string, %, +, format, join)."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("format", "join")
    )


def sql_text_imported(tree: ast.Module) -> bool:
    return any(
        isinstance(n, ast.ImportFrom)
        and n.module in ("sqlalchemy", "sqlmodel", "sqlalchemy.sql")
        and any(a.name == "text" for a in n.names)
        for n in ast.walk(tree)
    )


def test_no_module_builds_sql_from_formatted_text() -> None:
    built = []
    for root in ("hub", "jobs", "connectors"):
        for path in sorted((REPO / root).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            uses_text = sql_text_imported(tree)
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
                name = name or getattr(node.func, "id", "")
                argument = node.args[0]
                is_sql = name in ("execute", "exec_driver_sql", "executescript") or (
                    name == "text" and uses_text
                )
                if not is_sql:
                    continue
                dynamic = formatted(argument) or (
                    name == "text" and not isinstance(argument, ast.Constant)
                )
                where = str(path.relative_to(REPO))
                source = ast.unparse(argument)
                if dynamic and not any(
                    where == f and w in source for f, w in ALLOWED_FORMATTED_SQL
                ):
                    built.append(f"{where}:{node.lineno}: {source[:80]}")
    assert built == []


# -- dynamic ----------------------------------------------------------------------------------
@pytest.fixture
def business(any_live: LiveServer, any_engine: Engine) -> list[str]:
    """The store filled by a real pull of a small Zoho org; returns the customer names."""
    settings: Settings = any_live.app.state.hub.settings
    with SandboxServer(ZohoCrmSandbox(seed=31, companies=4)) as zoho:
        synced = Settings(
            database_url=settings.database_url,
            mappings_dir=REPO / "mappings",
            connectors={"crm": {"type": "zoho-crm", "config": zoho.connector_config()}},
            pipelines={
                "p": {
                    "streams": [
                        {"connector": "crm", "stream": s, "direction": "in"}
                        for s in ("accounts", "contracts", "invoices", "payments")
                    ]
                }
            },
        )
        result = asyncio.run(run_pipeline(synced, any_engine, "p", full=True))
        assert result.total().created > 5, result.error
    with any_engine.connect() as conn:
        return list(conn.execute(text("select name from customer")).scalars())


PROTECTED = (*ENTITIES, "link", "change", "web_user", "connector_config", "pipeline_config")
"""Tables no request in this test may grow or shrink (others hold sessions, audit, caches)."""


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(text(f'"{name}"'))).scalar_one()
            for name in inspect(engine).get_table_names()
        }


def concrete(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path.replace("{table}.{fmt}", "customers.csv"))


def query_params(route: APIRoute) -> list[str]:
    """Query parameters that take text (numbers and flags are validated before any query)."""
    return [
        p.alias or p.name
        for p in route.dependant.query_params
        if p.field_info.annotation in (str, str | None) or "str" in str(p.field_info.annotation)
    ]


def form_fields(route: APIRoute) -> list[str]:
    return [p.alias or p.name for p in route.dependant.body_params]


def test_injection_strings_are_inert_in_every_parameter_and_field(
    any_live: LiveServer, any_engine: Engine, business: list[str]
) -> None:
    before = table_counts(any_engine)
    client, csrf = login(any_live.url, "admin")
    problems: list[tuple[str, ...]] = []
    try:
        found = client.get("/finance/customers", params={"q": business[0][2:6]}).text
        assert business[0] in found  # a search shows names, so a tautology would show
        routes = [r for r in app_routes(any_live.app) if not r.path.startswith(PUBLIC_PREFIXES)]
        for route in routes:
            if route.path == "/logout":
                continue
            for method in sorted(route.methods):
                problems += probe(client, csrf, route, method, business)
    finally:
        client.close()
    assert problems == []
    after = table_counts(any_engine)
    assert {t: after.get(t) for t in PROTECTED} == {t: before[t] for t in PROTECTED}
    with any_engine.connect() as conn:
        roles = dict(conn.execute(text("select name, role from web_user")).all())
    assert roles == {
        "admin": "admin",
        "operator": "operator",
        "finance": "finance",
        "viewer": "viewer",
    }


def probe(
    client: httpx.Client, csrf: str, route: APIRoute, method: str, names: list[str]
) -> list[tuple[str, ...]]:
    """Every injection through every parameter of one route; what went wrong."""
    base = concrete(route.path, "1")
    requests: list[tuple[str, str, dict[str, str], dict[str, str]]] = []
    if method == "GET":
        for param in query_params(route):
            miss = client.get(base, params={param: "zq9xj-no-such-thing"}).text
            for injection in INJECTIONS:
                answer = client.get(base, params={param: injection})
                if any(name in answer.text and name not in miss for name in names):
                    return [(method, route.path, param, injection, "a tautology showed more")]
                requests.append((injection, base, {param: injection}, {}))
    elif route.dependant.body_params:
        fields = [p.alias or p.name for p in route.dependant.body_params]
        requests += [(i, base, {}, dict.fromkeys(fields, i)) for i in PATH_AND_FORM]
    if "{" in route.path:
        requests += [(i, concrete(route.path, i), {}, {}) for i in PATH_AND_FORM]
    problems = []
    for injection, url, query, form in requests:
        if method == "GET":
            answer = client.get(url, params=query)
        else:
            answer = client.request(
                method, url, data={"csrf_token": csrf, **form}, headers={"X-CSRF-Token": csrf}
            )
        label = (method, route.path, injection, str(answer.status_code))
        leaked = LEAKS.search(without(answer.text, injection))
        if answer.status_code >= 500:
            problems.append((*label, "server error"))
        elif leaked:
            problems.append((*label, leaked.group(0)))
    return problems


def without(body: str, injection: str) -> str:
    """The response with every echo of the injection (raw, HTML-, JSON- or URL-escaped) removed."""
    for echo in {
        injection,
        html.escape(injection),
        html.escape(injection, quote=False),
        str(escape(injection)),
        str(escape(repr(injection)[1:-1])),
        json.dumps(injection)[1:-1],
        quote(injection),
        quote_plus(injection),
        repr(injection)[1:-1],
    }:
        body = body.replace(echo, "")
    return body
