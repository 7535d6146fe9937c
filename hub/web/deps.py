"""Who is asking, and may they: the auth dependencies every page and endpoint uses.

A request is authenticated by an ``Authorization: Bearer`` API token or, failing
that, by the session cookie. ``require_role(*roles)`` returns the user or raises
``NotAuthenticated`` (pages redirect to the login, the API answers 401) or
``Forbidden`` (403). Admins pass every check. Resolution happens once per request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from hub.auth import Role, User, user_for_token
from hub.auth.roles import ALL_ROLES
from hub.auth.sessions import load_session
from hub.web.state import hub_state

SESSION_COOKIE = "synchub_session"
ANON_CSRF_COOKIE = "synchub_login_csrf"
LANG_COOKIE = "synchub_lang"


class NotAuthenticated(Exception):
    """No valid session or token came with the request."""


class Forbidden(Exception):
    """The user's role may not do this."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: a user, how they came, and their session's CSRF token."""

    user: User
    via: str
    """``session`` or ``token``."""
    csrf: str | None = None
    session_token: str | None = None


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _resolve(request: Request) -> Principal | None:
    state = hub_state(request)
    token = bearer_token(request)
    if token is not None:
        user = user_for_token(state.engine, token)
        return Principal(user, "token") if user else None
    if request.headers.get("authorization"):
        return None
    cookie = state.unsign(request.cookies.get(SESSION_COOKIE))
    if cookie is None:
        return None
    session = load_session(state.engine, cookie)
    return Principal(session.user, "session", session.csrf, cookie) if session else None


async def principal(request: Request) -> Principal | None:
    """The caller, resolved once per request (``None`` when anonymous)."""
    if not hasattr(request.state, "principal"):
        request.state.principal = await run_in_threadpool(_resolve, request)
    found: Principal | None = request.state.principal
    return found


def require_role(*roles: Role) -> Callable[..., object]:
    """A dependency returning the current user if their role is one of ``roles`` (or admin)."""
    accepted = tuple(roles) or ALL_ROLES

    async def dependency(caller: Principal | None = Depends(principal)) -> User:
        if caller is None:
            raise NotAuthenticated()
        if not caller.user.has(*accepted):
            raise Forbidden()
        return caller.user

    dependency.__name__ = f"require_{'_'.join(r.value for r in accepted)}"
    return dependency


current_user = require_role(*ALL_ROLES)
"""Any signed-in user (any role)."""
