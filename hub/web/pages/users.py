"""Users (admins), one's own account (password, API tokens), and the audit log (admins)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hub.auth import (
    AuthError,
    PasswordPolicyError,
    Role,
    User,
    UserError,
    authenticate,
    create_token,
    create_user,
    list_tokens,
    list_users,
    revoke_token,
    set_password,
    set_role,
)
from hub.store import Audit
from hub.web.deps import current_user, require_role
from hub.web.services.paging import offset_param, paginate, row_id
from hub.web.state import hub_state
from hub.web.templating import render

router = APIRouter(include_in_schema=False)
ADMIN = require_role(Role.ADMIN)
AUDIT = Audit.__table__  # type: ignore[attr-defined]


def _users_page(request: Request, status: int = 200, error: str | None = None) -> Response:
    state = hub_state(request)
    return render(
        request,
        "users/list.html",
        {"users": list_users(state.engine), "roles": [r.value for r in Role], "error": error},
        status_code=status,
    )


@router.get("/users")
def users_page(request: Request, user: User = Depends(ADMIN)) -> Response:
    """Every user with role controls."""
    return _users_page(request)


@router.post("/users")
def add_user(
    request: Request,
    name: str = Form(..., max_length=60),
    password: str = Form(..., max_length=256),
    role: str = Form(..., max_length=12),
    user: User = Depends(ADMIN),
) -> Response:
    """Add a user."""
    try:
        create_user(hub_state(request).engine, name, password, role, actor=user.name)
    except (UserError, PasswordPolicyError) as exc:
        return _users_page(request, 422, str(exc))
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{name}/role")
def change_role(
    request: Request,
    name: str,
    role: str = Form(..., max_length=12),
    disabled: bool = Form(False),
    user: User = Depends(ADMIN),
) -> Response:
    """Change a user's role or disable them (their sessions end)."""
    try:
        set_role(hub_state(request).engine, name, role, actor=user.name, disabled=disabled)
    except UserError as exc:
        return _users_page(request, 422, str(exc))
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{name}/password")
def reset_password(
    request: Request,
    name: str,
    password: str = Form(..., max_length=256),
    user: User = Depends(ADMIN),
) -> Response:
    """Set another user's password (their sessions end)."""
    try:
        set_password(hub_state(request).engine, name, password, actor=user.name)
    except (UserError, PasswordPolicyError) as exc:
        return _users_page(request, 422, str(exc))
    return RedirectResponse("/users", status_code=303)


def _account(request: Request, user: User, status: int = 200, **extra: object) -> Response:
    tokens = list_tokens(hub_state(request).engine, user)
    return render(request, "users/account.html", {"tokens": tokens, **extra}, status_code=status)


@router.get("/account")
def account_page(request: Request, user: User = Depends(current_user)) -> Response:
    """One's password and API tokens."""
    return _account(request, user)


@router.post("/account/password")
def change_own_password(
    request: Request,
    current: str = Form(..., max_length=256),
    password: str = Form(..., max_length=256),
    user: User = Depends(current_user),
) -> Response:
    """Change one's own password (the current one is required); signs out everywhere."""
    engine = hub_state(request).engine
    try:
        authenticate(engine, user.name, current)
        set_password(engine, user.name, password, actor=user.name)
    except AuthError:
        return _account(request, user, 422, error="account.wrong_password")
    except PasswordPolicyError as exc:
        return _account(request, user, 422, error=str(exc))
    return RedirectResponse("/login", status_code=303)


@router.post("/account/tokens")
def new_token(
    request: Request, name: str = Form("token", max_length=60), user: User = Depends(current_user)
) -> Response:
    """Create an API token and show it once."""
    _info, token = create_token(hub_state(request).engine, user, name, actor=user.name)
    return _account(request, user, new_token=token)


@router.post("/account/tokens/{token_id}/revoke")
def revoke(
    request: Request, token_id: int = row_id(), user: User = Depends(current_user)
) -> Response:
    """Revoke one of one's tokens (admins: anyone's)."""
    if not revoke_token(hub_state(request).engine, token_id, actor=user):
        raise HTTPException(404, f"no live token {token_id} of yours")
    return RedirectResponse("/account", status_code=303)


@router.get("/audit")
async def audit_page(
    request: Request,
    limit: int = Query(50, ge=1, le=200),
    offset: int = offset_param(),
    user: User = Depends(ADMIN),
) -> Response:
    """Who changed what, newest first."""
    query = select(AUDIT).order_by(AUDIT.c.id.desc())
    page = await run_in_threadpool(paginate, hub_state(request).engine, query, limit, offset)
    return render(request, "users/audit.html", {"page": page, "rows": page.items})
