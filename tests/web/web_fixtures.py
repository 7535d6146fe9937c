"""Fixtures for a hub served over a real socket, shared by the web and hardening suites.

A conftest imports them (``from web_fixtures import ...``); pytest then finds them
as that conftest's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from web_support import ROLES, LiveServer, copy_mappings, login, make_settings, password_of

from hub.auth import create_user
from hub.settings import Settings
from hub.store import make_engine, upgrade
from hub.web.app import create_app

SignIn = Callable[..., tuple[httpx.Client, str]]


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
