"""The webhook router mounted in a bare FastAPI app over a migrated store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from webhooks_support import webhook_settings

from connectors.sdk.sandbox import SandboxServer
from connectors.zoho_crm.sandbox import ZohoCrmSandbox
from hub.settings import Settings
from hub.store import make_engine, upgrade
from hub.webhooks.router import router


@pytest.fixture
def zoho() -> Iterator[SandboxServer]:
    with SandboxServer(ZohoCrmSandbox(seed=4, companies=3)) as server:
        yield server


@pytest.fixture
def hub_store(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(sqlite_url: str, zoho: SandboxServer) -> Settings:
    return webhook_settings(sqlite_url, zoho)


@pytest.fixture
async def client(settings: Settings, hub_store: Engine) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(router)
    app.state.hub = SimpleNamespace(settings=settings, engine=hub_store)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as test_client:
        yield test_client
