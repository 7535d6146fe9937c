"""The OpenAPI schema and its Swagger UI (served locally), for signed-in users; a health check."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, JSONResponse

from hub.auth import User
from hub.web.deps import current_user

router = APIRouter(include_in_schema=False)

SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SyncHub API</title>
<link rel="stylesheet" href="/static/swagger/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script></body></html>"""


@router.get("/openapi.json")
async def openapi_schema(request: Request, _user: User = Depends(current_user)) -> JSONResponse:
    """The API's OpenAPI document."""
    schema: dict[str, Any] = request.app.openapi()
    return JSONResponse(schema)


@router.get("/docs")
async def swagger_ui(_user: User = Depends(current_user)) -> HTMLResponse:
    """Swagger UI over ``/openapi.json``; no CDN."""
    return HTMLResponse(SWAGGER_PAGE)


@router.get("/healthz")
async def health() -> dict[str, str]:
    """Liveness for load balancers and process managers (says nothing else)."""
    return {"status": "ok"}
