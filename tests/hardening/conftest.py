"""Fixtures of the hardening suites (bad input, security, load): a hub served over a real socket.

The web tests' helpers and fixtures (``tests/web/web_support.py``,
``tests/web/web_fixtures.py``) are reused rather than copied, so both suites drive
the app the same way.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from web_fixtures import hub_engine, hub_settings, live, sign_in
from web_support import ROLES, LiveServer, password_of

from hub.auth import create_user
from hub.settings import Settings
from hub.store import upgrade
from hub.web.app import create_app

__all__ = ["hub_engine", "hub_settings", "live", "sign_in"]  # shared fixtures, found by pytest


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
def any_live(hub_settings: Settings, any_engine: Engine) -> Iterator[LiveServer]:
    """The hub served on SQLite and on PostgreSQL (one user per role), for store-sensitive tests."""
    upgrade(any_engine)
    for role in ROLES:
        create_user(any_engine, role, password_of(role), role, actor="test")
    server = LiveServer(create_app(hub_settings, any_engine)).start()
    yield server
    server.stop()
