"""The web app factory: JSON API, server-rendered admin UI, static assets, error pages.

``create_app(settings, engine)`` builds one FastAPI app. Routers are listed in
``hub.web.routers.ROUTERS`` (the one place an area adds its pages); every route
is behind ``require_role`` unless ``routers.PUBLIC_PATHS`` names it, and every
state-changing browser request passes the app-wide CSRF guard.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import swagger_ui_bundle  # type: ignore[import-untyped]
from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from hub import __version__
from hub.settings import Settings
from hub.store import make_engine
from hub.web import errors
from hub.web.csrf import csrf_guard
from hub.web.guards import RefuseNul
from hub.web.headers import SecurityHeaders
from hub.web.routers import app_routes, include_routers
from hub.web.state import HubState

STATIC = Path(__file__).with_name("static")
MAX_BODY_BYTES = 8 * 1024 * 1024
"""The largest request body the app reads; past it, 413 before anything buffers it.

Some routes are open to anyone (the login form, vendor webhooks), so without a
ceiling one anonymous request of a few gigabytes would exhaust the server. Nothing
the app accepts comes near it: a mapping is at most 200,000 characters, a webhook
at most 1 MB (that route's own, smaller limit)."""
API_DESCRIPTION = """SyncHub's JSON API: the admin console's operations for scripts and tools.

Authenticate with an API token (create one under *My account*, it is shown once):
`Authorization: Bearer shub_...`. Lists are paginated with `limit` and `offset` and
answer `{items, total, limit, offset}`. Errors are problem details
(`application/problem+json`)."""


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """The web app on ``engine`` (default: one made from ``settings.database_url``)."""
    app = FastAPI(
        title="SyncHub",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_guard)],
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.hub = HubState.build(settings, engine or make_engine(settings.database_url))
    errors.install(app)
    app.mount(
        "/static/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger"
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    include_routers(app)
    app.add_middleware(RefuseNul)
    app.add_middleware(SecurityHeaders)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The schema of the JSON API only, with bearer-token security on every operation."""
    if app.openapi_schema is None:
        routes = [r for r in app_routes(app) if r.path.startswith("/api/")]
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=routes
        )
        schema.setdefault("components", {})["securitySchemes"] = {
            "token": {"type": "http", "scheme": "bearer", "description": "An API token (shub_...)."}
        }
        schema["security"] = [{"token": []}]
        app.openapi_schema = schema
    return app.openapi_schema
