"""Secrets are encrypted at rest and masked everywhere: a planted secret is never found in clear.

Six sandboxes accept only credentials made up for this test (``hardening_planted``),
and each instance also gets a made-up webhook secret. The instances are
configured through the admin web form, the JSON API, and hub.yaml with the
secrets in the environment; the hub's own key comes from the environment too.
Then the hub works with them the way it does in production: full syncs of every
instance (credentials expired and a server error injected on the way), a run
started from the web API, one from the ``synchub`` CLI in a child process,
connection checks, a mapping preview and signed webhooks. Afterwards every log
line (formatted by the product's masking formatter), every page and API
response reachable as admin and by API token, a ``sqlite3 .dump`` or
``pg_dump`` of the store, and every byte of every file the hub wrote are
searched for each secret: none may appear in clear. The syncs must have
worked, which proves the secrets were really used.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hardening_planted import STREAMS, Planted, plant_all
from sqlalchemy import Engine, text
from web_support import ROLES, LiveServer, login, password_of

from connectors.sdk import MaskingFormatter
from connectors.sdk.webhooks import hmac_signature
from hub.auth import create_user
from hub.config_store import effective_settings, generate_key, save_pipeline
from hub.logsetup import configure_logging
from hub.settings import Settings, load_settings
from hub.store import upgrade
from hub.sync.runner import run_pipeline
from hub.web.app import create_app
from hub.web.routers import app_routes
from hub.web.state import launcher

REPO = Path(__file__).resolve().parents[3]
SYNCHUB = str(Path(sys.executable).with_name("synchub"))
PG_URL = os.environ.get("SYNCHUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def env_name(instance: str, key: str) -> str:
    return f"SYNCHUB_CONNECTORS__{instance.upper()}__CONFIG__{key.upper()}"


def database_url(engine: Engine) -> str:
    """A URL a child process can reach the same store with (PostgreSQL: the same schema)."""
    if engine.dialect.name == "sqlite":
        return str(engine.url)
    with engine.connect() as conn:
        schema = conn.execute(text("SHOW search_path")).scalar_one()
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def write_hub_yaml(folder: Path, engine: Engine, planted: list[Planted]) -> Path:
    """hub.yaml with the env-configured instances, secrets left out (they come from the env)."""
    connectors = {
        p.instance: {
            "type": p.type,
            "config": {k: v for k, v in p.config.items() if k not in p.secrets},
        }
        for p in planted
        if p.route == "env"
    }
    path = folder / "hub.yaml"
    data = {
        "database_url": database_url(engine),
        "data_dir": str(folder / "var"),
        "mappings_dir": str(REPO / "mappings"),
        "log_level": "DEBUG",
        "connectors": connectors,
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def configure_through_the_ui(client: httpx.Client, csrf: str, planted: list[Planted]) -> None:
    for item in planted:
        if item.route == "form":
            scalars = {k: str(v) for k, v in item.config.items() if not isinstance(v, dict)}
            form = {"csrf_token": csrf, "type": item.type, "name": item.instance, "enabled": "on"}
            answer = client.post("/connectors/new", data={**form, **scalars})
            assert answer.status_code == 303, answer.text[-500:]
        elif item.route == "api":
            answer = client.put(
                f"/api/connectors/{item.instance}",
                json={"type": item.type, "config": item.config},
                headers={"X-CSRF-Token": csrf},
            )
            assert answer.status_code == 200, answer.text


def crawl(client: httpx.Client, live: LiveServer, ids: dict[str, list[str]]) -> list[str]:
    """Every GET route, its parameters filled with every real id the store holds."""
    bodies = []
    for route in app_routes(live.app):
        if "GET" not in route.methods or route.path.startswith("/finance/export"):
            continue
        names = re.findall(r"\{([^}:]+)(?::path)?\}", route.path)
        if not names:
            bodies.append(client.get(route.path).text)
            continue
        for value in ids.get(names[0], [])[:6] if len(names) == 1 else []:
            bodies.append(client.get(re.sub(r"\{[^}]+\}", value, route.path)).text)
    return bodies


def known_ids(engine: Engine, planted: list[Planted]) -> dict[str, list[str]]:
    with engine.connect() as conn:
        runs = [str(r) for r in conn.execute(text("select id from run")).scalars()]
        letters = [str(r) for r in conn.execute(text("select id from dead_letter")).scalars()]
        conflicts = [str(r) for r in conn.execute(text("select id from conflict")).scalars()]
        customers = [str(r) for r in conn.execute(text("select id from customer")).scalars()]
    names = [p.instance for p in planted] + [f"sync-{p.instance}" for p in planted]
    return {
        "name": names,
        "run_id": runs,
        "letter_id": letters,
        "conflict_id": conflicts,
        "customer_id": customers,
        "path": ["zoho_crm/customer.yaml", "kingdee/customer.yaml"],
        "token_id": ["1"],
    }


def dump(engine: Engine, database: str) -> str:
    """The whole store as text: ``sqlite3 FILE .dump`` or ``pg_dump`` of the test schema."""
    if engine.dialect.name == "sqlite":
        assert engine.url.database is not None
        command = ["sqlite3", engine.url.database, ".dump"]
    else:
        schema = database.rsplit("%3D", 1)[1]
        command = ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-n", schema, "test"]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    assert "CREATE TABLE" in done.stdout
    return done.stdout


def files_under(folder: Path) -> Iterator[tuple[Path, bytes]]:
    for path in folder.rglob("*"):
        if path.is_file():
            yield path, path.read_bytes()


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """The root logger's level and handlers as they were: later tests must not log at DEBUG."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    quietened = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    yield
    root.setLevel(level)
    root.handlers[:] = handlers
    for name in list(logging.root.manager.loggerDict):
        logging.getLogger(name).setLevel(quietened.get(name, logging.NOTSET))


@pytest.mark.slow
@pytest.mark.usefixtures("restored_logging")
def test_planted_secrets_are_used_but_never_found_in_clear(
    any_engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure_logging("DEBUG")  # the product's logging: masked at record creation
    caplog.set_level(logging.DEBUG)
    caplog.handler.setFormatter(MaskingFormatter("%(levelname)s %(name)s: %(message)s"))
    key = generate_key()
    with ExitStack() as stack:
        planted = plant_all(stack)
        secrets = {key, *(s for p in planted for s in p.secrets.values())}
        database = database_url(any_engine)
        config_file = write_hub_yaml(tmp_path, any_engine, planted)
        monkeypatch.setenv("SYNCHUB_SECRET_KEY", key)
        for item in planted:
            if item.route == "env":
                for secret_key, value in item.secrets.items():
                    monkeypatch.setenv(env_name(item.instance, secret_key), value)
        settings = load_settings(config_file)
        assert settings.connectors["u8"].config["app_secret"] == planted[3].secrets["app_secret"]
        upgrade(any_engine)
        for role in ROLES:
            create_user(any_engine, role, password_of(role), role, actor="test")
        live = LiveServer(create_app(settings, any_engine)).start()
        stack.callback(live.stop)
        admin, csrf = login(live.url, "admin")
        stack.callback(admin.close)
        configure_through_the_ui(admin, csrf, planted)
        effective = effective_settings(settings, any_engine)
        for item in planted:
            streams = [
                {"connector": item.instance, "stream": s, "direction": d}
                for s, d in STREAMS[item.instance]
            ]
            if item.instance in ("erp", "bip", "u8"):  # the CRM's customers are written to each
                streams.insert(0, {"connector": "crm", "stream": "accounts", "direction": "in"})
            save_pipeline(
                any_engine, effective, f"sync-{item.instance}", {"streams": streams}, actor="t"
            )
        responses = exercise(
            live, admin, csrf, planted, settings, any_engine, database, config_file
        )
        bodies = [*responses, *crawl(admin, live, known_ids(any_engine, planted))]
        token_answer = admin.post(
            "/api/tokens", json={"name": "crawl"}, headers={"X-CSRF-Token": csrf}
        )
        bearer = {"Authorization": f"Bearer {token_answer.json()['token']}"}
        with httpx.Client(base_url=live.url, headers=bearer, timeout=60) as api:
            bodies += crawl(api, live, known_ids(any_engine, planted))
        stored = dump(any_engine, database)

    found = {}
    sources: dict[str, str] = {"logs": caplog.text, "database dump": stored}
    sources.update({f"response {i}": body for i, body in enumerate(bodies)})
    for name, content in sources.items():
        for secret in secrets:
            if secret in content:
                found.setdefault(secret, []).append(name)
    for path, raw in files_under(tmp_path):
        for secret in secrets:
            if secret.encode() in raw:
                found.setdefault(secret, []).append(str(path))
    assert found == {}
    assert len(bodies) > 80
    assert stored.count("gAAAAA") >= 4  # the UI- and API-stored secrets, Fernet-encrypted
    assert "webhook for crm accepted" in caplog.text  # the logs saw the work being done
    print(
        f"searched {len(caplog.text):,} characters of logs, {len(bodies)} responses, "
        f"a {len(stored):,}-character dump and {sum(1 for _ in files_under(tmp_path))} files"
    )


def exercise(
    live: LiveServer,
    admin: httpx.Client,
    csrf: str,
    planted: list[Planted],
    settings: Settings,
    engine: Engine,
    database: str,
    config_file: Path,
) -> list[str]:
    """Use every secret: syncs (with expiries and a fault), web and CLI runs, checks, webhooks."""
    by_name = {p.instance: p for p in planted}
    by_name["crm"].server.sandbox.expire_credentials()
    by_name["u8"].server.sandbox.expire_credentials()
    by_name["erp"].server.sandbox.faults.inject("status", times=1, status=500)
    effective = effective_settings(settings, engine)
    for item in planted:
        result = asyncio.run(run_pipeline(effective, engine, f"sync-{item.instance}", full=True))
        assert result.status in ("succeeded", "partial"), (item.instance, result.error)
        assert result.requests[item.instance]["requests"] > 0
        assert result.total().read > 0, item.instance
    bodies: list[str] = []
    started = admin.post(
        "/api/pipelines/sync-erp/runs", json={"full": True}, headers={"X-CSRF-Token": csrf}
    )
    assert started.status_code == 202, started.text
    launcher(live.app.state.hub).threads[started.json()["run_id"]].join(timeout=120)
    bodies.append(started.text)
    cli = subprocess.run(
        [SYNCHUB, "--config", str(config_file), "sync", "run", "sync-bip"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SYNCHUB_DATABASE_URL": database},
        cwd=config_file.parent,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr[-2000:]
    bodies += [cli.stdout, cli.stderr]
    for item in planted:
        check = admin.post(f"/api/connectors/{item.instance}/check", headers={"X-CSRF-Token": csrf})
        assert check.status_code == 200
        assert check.json()["ok"], (item.instance, check.json())
        bodies.append(check.text)
        note = f'{{"timestamp": {int(time.time() * 1000)}, "n": "{item.instance}"}}'.encode()
        hook = admin.post(
            f"/hooks/{item.instance}",
            content=note,
            headers={"X-Hub-Signature": hmac_signature(item.secrets["webhook_secret"], note)},
        )
        assert hook.status_code == 202, (item.instance, hook.status_code)
    preview = admin.post(
        "/mappings/preview/zoho_crm/customer.yaml", data={"instance": "crm", "csrf_token": csrf}
    )
    assert preview.status_code == 200
    bodies.append(preview.text)
    bad_edit = admin.post(
        "/connectors/crm",
        data={
            "csrf_token": csrf,
            "type": "zoho-crm",
            "data_centre": "mars",
            **by_name["crm"].secrets,
        },
    )
    assert bad_edit.status_code == 422
    bodies.append(bad_edit.text)
    return bodies


@pytest.mark.parametrize(
    ("connector_type", "breaks_a_rule"),
    [
        ("kingdee", {"auth": "session", "login": "password", "password": None}),
        ("jira", {"email": None}),
        ("yonyou-bip", {"tenant_id": None, "token_url": "https://a.example.cn"}),
    ],
)
def test_a_config_error_on_the_whole_config_shows_no_secret(
    connector_type: str, breaks_a_rule: dict[str, Any]
) -> None:
    from test_security_urls import base_config

    from connectors.sdk import ConfigError, registry
    from connectors.sdk.connector import secret_field_names

    cls = registry.load(connector_type)
    planted = {name: f"planted-{name}-8d1f0c" for name in secret_field_names(cls.config_model)}
    config = {**base_config(connector_type), **planted, **breaks_a_rule}
    config = {k: v for k, v in config.items() if v is not None}
    with pytest.raises(ConfigError) as caught:
        cls.parse_config(config)
    assert "(root)" in str(caught.value)
    assert [v for v in planted.values() if v in str(caught.value)] == []
