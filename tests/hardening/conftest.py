"""Fixtures of the hardening suites (bad input, security, load): a hub served over a real socket.

The web tests' helpers (``tests/web/web_support.py``: ``LiveServer``, ``login``,
settings on a fresh SQLite file) are reused rather than copied, so both suites
drive the app the same way.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from web_support import ROLES, LiveServer, copy_mappings, login, make_settings, password_of

from hub.auth import create_user
from hub.settings import Settings
from hub.store import make_engine, upgrade
from hub.web.app import create_app

SignIn = Callable[..., tuple[httpx.Client, str]]


@pytest.fixture(scope="session", autouse=True)
def hash_each_test_password_once() -> Iterator[None]:
    """Reuse one real argon2id hash per test password across the session's fresh stores.

    Every hub here starts with four users; hashing their passwords anew for each
    store costs seconds per test on two cores and proves nothing the auth tests
    do not. The hashes keep today's parameters, so sign-in verifies for real.
    """
    import functools

    import hub.auth.users

    cached = functools.lru_cache(maxsize=64)(hub.auth.users.hash_password)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hub.auth.users, "hash_password", cached)
        yield


@pytest.fixture
def hub_settings(tmp_path: Path) -> Settings:
    """Settings for one test's hub, with a private copy of the repository's mappings."""
    copy_mappings(tmp_path / "mappings")
    return make_settings(tmp_path)


@pytest.fixture
def hub_engine(hub_settings: Settings) -> Iterator[Engine]:
    """The migrated SQLite store with one user per role (named after the role)."""
    engine = make_engine(hub_settings.database_url)
    upgrade(engine)
    for role in ROLES:
        create_user(engine, role, password_of(role), role, actor="test")
    yield engine
    engine.dispose()


@pytest.fixture
def live(hub_settings: Settings, hub_engine: Engine) -> Iterator[LiveServer]:
    """The hub served by uvicorn on a free port of 127.0.0.1."""
    server = LiveServer(create_app(hub_settings, hub_engine)).start()
    yield server
    server.stop()


@pytest.fixture
def sign_in(live: LiveServer) -> Iterator[SignIn]:
    """Sign in as a user (closed at teardown): returns the client and its CSRF token."""
    clients: list[httpx.Client] = []

    def factory(name: str, password: str | None = None) -> tuple[httpx.Client, str]:
        client, csrf = login(live.url, name, password)
        clients.append(client)
        return client, csrf

    yield factory
    for client in clients:
        client.close()


@pytest.fixture
def any_live(hub_settings: Settings, any_engine: Engine) -> Iterator[LiveServer]:
    """The hub served on SQLite and on PostgreSQL (one user per role), for store-sensitive tests."""
    upgrade(any_engine)
    for role in ROLES:
        create_user(any_engine, role, password_of(role), role, actor="test")
    server = LiveServer(create_app(hub_settings, any_engine)).start()
    yield server
    server.stop()
