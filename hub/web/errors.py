"""Error answers: problem details (RFC 9457) for the API, friendly pages for people.

No answer repeats what was sent (validation errors omit the input, which may be a
secret), and no answer carries a traceback; unexpected errors are logged, masked.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub.web.csrf import CsrfFailed
from hub.web.deps import Forbidden, NotAuthenticated
from hub.web.templating import language, render

log = logging.getLogger("synchub.web")
API_PREFIXES = ("/api", "/openapi.json", "/docs")


def wants_json(request: Request) -> bool:
    """API callers get problem details; browsers get pages."""
    return request.url.path.startswith(API_PREFIXES) or "authorization" in request.headers


def problem(
    status: int, detail: str | None = None, *, title: str | None = None, **extra: Any
) -> JSONResponse:
    """An ``application/problem+json`` answer."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def error_page(
    request: Request, status: int, message_key: str, detail: str | None = None
) -> Response:
    """The HTML error page (a fragment-sized page is fine inside HTMX targets too)."""
    return render(
        request,
        "error.html",
        {"status": status, "message_key": message_key, "detail": detail},
        status_code=status,
    )


async def _not_authenticated(request: Request, exc: Exception) -> Response:
    if wants_json(request):
        return problem(401, "sign in, or send an API token as 'Authorization: Bearer <token>'")
    target = "/login?next=" + quote(request.url.path)
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    if wants_json(request):
        return problem(403, "your role may not do this")
    return error_page(request, 403, "error.403")


async def _csrf(request: Request, exc: Exception) -> Response:
    if wants_json(request):
        return problem(403, "missing or wrong CSRF token (send X-CSRF-Token)")
    return error_page(request, 403, "error.403_csrf")


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    response: Response
    if wants_json(request):
        response = problem(exc.status_code, detail)
    else:
        response = error_page(request, exc.status_code, f"error.{exc.status_code}", detail)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": [str(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()
    ]
    if wants_json(request):
        return problem(422, "the request is not valid", errors=errors)
    text = "; ".join(f"{'.'.join(e['loc'][1:]) or e['loc'][0]}: {e['msg']}" for e in errors)
    return error_page(request, 422, "error.422", text)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    if wants_json(request):
        return problem(500, "internal error; see the server log")
    return error_page(request, 500, "error.500")


def install(app: FastAPI) -> None:
    """Register every handler on ``app``."""
    app.add_exception_handler(NotAuthenticated, _not_authenticated)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(CsrfFailed, _csrf)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Exception, _unexpected)


__all__ = ["install", "language", "problem", "wants_json"]
