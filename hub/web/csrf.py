"""CSRF protection for every state-changing request that a browser could send.

Requests authenticated by an API token are exempt: a browser never adds an
``Authorization`` header by itself, so another site cannot forge one. Everything
else that is not GET/HEAD/OPTIONS must carry the session's CSRF token, in the
``X-CSRF-Token`` header (HTMX sends it from ``hx-headers`` on ``<body>``) or a
``csrf_token`` form field (``csrf_input()`` in templates). Before sign-in the
login form is protected the same way by a signed cookie (double submit).
Webhooks (``/hooks/``) verify vendor signatures instead.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Depends, Request

from hub.web.deps import ANON_CSRF_COOKIE, Principal, bearer_token, principal
from hub.web.state import hub_state

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
EXEMPT_PREFIXES = ("/hooks/",)
ANONYMOUS_FORMS = frozenset({"/login"})
"""The only state-changing paths open to anonymous callers; others answer 401/redirect."""


class CsrfFailed(Exception):
    """A state-changing browser request without the right CSRF token."""


def new_token() -> str:
    """A fresh random CSRF token."""
    return secrets.token_urlsafe(32)


async def presented_token(request: Request) -> str | None:
    """The token the request carries, from the header or the form."""
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def csrf_guard(request: Request, caller: Principal | None = Depends(principal)) -> None:
    """App-wide dependency: refuse a state-changing browser request without its token."""
    if request.method in SAFE_METHODS or request.url.path.startswith(EXEMPT_PREFIXES):
        return
    if bearer_token(request) is not None:
        return
    if caller is None and request.url.path not in ANONYMOUS_FORMS:
        return  # the route's role check answers: redirect to the login, or 401
    if caller is not None and caller.csrf is not None:
        expected: str | None = caller.csrf
    else:
        expected = hub_state(request).unsign(request.cookies.get(ANON_CSRF_COOKIE))
    presented = await presented_token(request)
    if not expected or not presented or not hmac.compare_digest(expected, presented):
        raise CsrfFailed()
