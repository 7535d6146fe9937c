"""The one list of routers the app includes, and the paths that need no sign-in.

An area adds its pages by appending its router's reference (``module:attribute``)
to ``ROUTERS``; the module may also call ``hub.web.nav.add_section`` and
``hub.web.templating.add_template_dir`` at import. References are imported when
an app is created, so a broken area fails start-up with its own traceback.
"""

from __future__ import annotations

import importlib

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

ROUTERS: list[str] = [
    "hub.web.pages.auth:router",
    "hub.web.pages.docs:router",
    "hub.web.pages.home:router",
    "hub.web.pages.connectors:router",
    "hub.web.pages.mappings:router",
    "hub.web.pages.pipelines:router",
    "hub.web.pages.runs:router",
    "hub.web.pages.queues:router",
    "hub.web.pages.users:router",
    "hub.web.api.routes:router",
    "hub.webhooks.router:router",
    "hub.web.finance.pages:router",
]

PUBLIC_PATHS: frozenset[str] = frozenset({"/login", "/lang/{code}", "/healthz"})
"""Routes anyone may call; every other route checks the caller's role (a test enforces it)."""
PUBLIC_PREFIXES: tuple[str, ...] = ("/static", "/hooks/")
"""Static assets, and vendor webhooks that verify their own signatures."""


def load(reference: str) -> APIRouter:
    """Import ``module:attribute`` and check that it is a router."""
    module_name, _, attribute = reference.partition(":")
    router = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(router, APIRouter):
        raise TypeError(f"{reference} is not a FastAPI APIRouter")
    return router


def include_routers(app: FastAPI) -> None:
    """Include every router of ``ROUTERS`` in ``app`` and remember their routes."""
    table: list[APIRoute] = []
    for reference in ROUTERS:
        router = load(reference)
        app.include_router(router)
        table.extend(r for r in router.routes if isinstance(r, APIRoute))
    app.state.route_table = table


def app_routes(app: FastAPI) -> list[APIRoute]:
    """Every route the app serves from ``ROUTERS`` (for the OpenAPI schema and the role tests)."""
    table: list[APIRoute] = app.state.route_table
    return table
