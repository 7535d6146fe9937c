"""Signing in and out, and the language switch."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hub.auth import AuthError, authenticate
from hub.auth.sessions import ABSOLUTE, create_session, end_session
from hub.web.csrf import new_token
from hub.web.deps import ANON_CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE, Principal, principal
from hub.web.i18n import LANGUAGES
from hub.web.state import hub_state
from hub.web.templating import local_time, render

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything else (another site) becomes ``/``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_page(
    request: Request, next_path: str, error: str | None = None, status: int = 200, **values: object
) -> Response:
    token = new_token()
    response = render(
        request,
        "login.html",
        {"csrf_token": token, "next": next_path, "error": error, "error_values": values},
        status_code=status,
    )
    response.set_cookie(
        ANON_CSRF_COOKIE,
        hub_state(request).sign(token),
        max_age=3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    return response


@router.get("/login")
async def login_form(
    request: Request, next: str | None = None, caller: Principal | None = Depends(principal)
) -> Response:
    """The sign-in form (or straight on when already signed in)."""
    if caller is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    username: str = Form(..., max_length=100),
    password: str = Form(..., max_length=256),
    next: str = Form("/"),
) -> Response:
    """Check the password (unless throttled), start a session, set its cookie."""
    state = hub_state(request)
    client = request.client.host if request.client else None
    keys = state.throttle.keys(username, client)
    until: datetime | None = await run_in_threadpool(state.throttle.locked_until, keys)
    if until is not None:
        shown = local_time(until, state.settings.timezone, "%H:%M:%S")
        return _login_page(request, safe_next(next), "login.throttled", 429, until=shown)
    try:
        user = await run_in_threadpool(authenticate, state.engine, username, password)
    except AuthError:
        await run_in_threadpool(state.throttle.failed, keys)
        return _login_page(request, safe_next(next), "login.failed", 401)
    await run_in_threadpool(state.throttle.succeeded, username)
    token, _session = await run_in_threadpool(create_session, state.engine, user)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        state.sign(token),
        max_age=int(ABSOLUTE.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(ANON_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, caller: Principal | None = Depends(principal)) -> Response:
    """End the session (the row is deleted, so a copied cookie is useless) and clear the cookie."""
    if caller is not None and caller.session_token:
        await run_in_threadpool(end_session, hub_state(request).engine, caller.session_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=_secure(request))
    return response


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, next: str | None = None) -> Response:
    """Remember the chosen language for a year and go back."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", secure=_secure(request)
        )
    return response
