"""The REST v1 routes: login, the pager, and each object's list / create / view / edit / delete.

Handlers run under the sandbox lock and return ``(status, payload)``; a
``Refused`` becomes ``{"error": ...}`` with its status. Quirks reproduced on
purpose (see ../../../docs/connectors/zentao.md): page past the end serves
page 1 again, a failed task edit answers 200 with the old task, product plan
create answers 200 and wraps its error in ``{"message": ...}``, story PUT
ignores ``spec``, and each endpoint formats a different subset of fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from connectors.zentao.sandbox.backlog import BacklogRoutes
from connectors.zentao.sandbox.base import NOT_FOUND, Result
from connectors.zentao.sandbox.projects import ProjectRoutes
from connectors.zentao.sandbox.rules import LOCK_WARNING, LOGIN_FAILED, LOGIN_LOCKED, Refused
from connectors.zentao.sandbox.tasks import TaskRoutes

Handler = Callable[..., Result]

ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (m, re.compile(f"^{p}$"), h)
    for m, p, h in (
        ("POST", r"/tokens", "tokens"),
        ("GET", r"/user", "me"),
        ("GET", r"/users", "users"),
        ("GET", r"/users/(\d+)", "user"),
        ("GET", r"/products", "products"),
        ("GET", r"/products/(\d+)", "product"),
        ("GET", r"/products/(\d+)/stories", "stories"),
        ("POST", r"/products/(\d+)/stories", "story_create"),
        ("POST", r"/stories", "story_create"),
        ("GET", r"/stories/(\d+)", "story"),
        ("PUT", r"/stories/(\d+)", "story_edit"),
        ("DELETE", r"/stories/(\d+)", "story_delete"),
        ("POST", r"/stories/(\d+)/change", "story_change"),
        ("POST|PUT", r"/stories/(\d+)/close", "story_close"),
        ("GET", r"/projects", "projects"),
        ("POST", r"/projects", "project_create"),
        ("GET", r"/projects/(\d+)", "project"),
        ("PUT", r"/projects/(\d+)", "project_edit"),
        ("DELETE", r"/projects/(\d+)", "project_delete"),
        ("GET", r"/executions", "executions"),
        ("GET", r"/projects/(\d+)/executions", "executions"),
        ("POST", r"/projects/(\d+)/executions", "execution_create"),
        ("GET", r"/executions/(\d+)", "execution"),
        ("PUT", r"/executions/(\d+)", "execution_edit"),
        ("DELETE", r"/executions/(\d+)", "execution_delete"),
        ("GET", r"/executions/(\d+)/tasks", "tasks"),
        ("POST", r"/executions/(\d+)/tasks", "task_create"),
        ("GET", r"/tasks/(\d+)", "task"),
        ("PUT", r"/tasks/(\d+)", "task_edit"),
        ("DELETE", r"/tasks/(\d+)", "task_delete"),
        ("POST|PUT", r"/tasks/(\d+)/(start|finish|close|pause|restart)", "task_action"),
        ("GET", r"/products/(\d+)/plans", "plans"),
        ("POST", r"/products/(\d+)/plans", "plan_create"),
        ("GET", r"/productplans/(\d+)", "plan"),
        ("PUT", r"/productplans/(\d+)", "plan_edit"),
        ("DELETE", r"/productplans/(\d+)|/productsplan/(\d+)", "plan_delete"),
    )
]


def route(method: str, path: str) -> tuple[str, list[str]] | None:
    """The handler name and path arguments for a request, or ``None`` (404)."""
    for methods, pattern, handler in ROUTES:
        found = pattern.match(path)
        if found and method in methods.split("|"):
            return handler, [g for g in found.groups() if g is not None]
    return None


class Api(ProjectRoutes, BacklogRoutes, TaskRoutes):
    """Every route's handler; see the module docstring."""

    # -- plumbing ---------------------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: dict[str, str], token: str | None, raw: bytes
    ) -> Result:
        """Route, authenticate, run; the whole request under the sandbox lock."""
        found = route(method, path)
        if found is None:
            return NOT_FOUND
        name, args = found
        body: Any = {}
        if method in ("POST", "PUT") and raw:
            try:
                body = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                body = None  # PHP's json_decode gives null: every field then looks absent
        body = body if isinstance(body, dict) else {}
        now = self.sb.clock.now()
        if name == "tokens":
            return self.tokens(body)
        session = self.store.session(token, now, self.sb.options.token_ttl)
        if session is None:
            return 401, {"error": "Unauthorized"}
        self.account = session.account
        handler: Handler = getattr(self, name)
        try:
            return handler(*args, query=query, body=body)
        except Refused as refused:
            return refused.status, {"error": refused.error}

    def handle_internal(self, path: str) -> dict[str, Any] | None:
        """A GET answered without a session (for the sandbox's own control hooks)."""
        found = route("GET", path)
        if found is None:
            return None
        name, args = found
        status, payload = getattr(self, name)(*args, query={}, body={})
        return payload if status == 200 and isinstance(payload, dict) else None

    def tokens(self, body: dict[str, Any]) -> Result:
        """``POST /tokens``: 201 with the session id, or 400 with a counter toward a lock-out."""
        opts = self.sb.options
        account = str(body.get("account") or "")
        password = str(body.get("password") or "")
        now = self.sb.clock.now()
        locked = self.store.locked_until.get(account)
        if locked is not None and now < locked:
            return 400, {"error": LOGIN_LOCKED.format(opts.lock_minutes)}
        known = self.store.passwords.get(account)
        if known is not None and password and password == known:
            self.store.fails.pop(account, None)
            self.store.locked_until.pop(account, None)
            return 201, {"token": self.store.open_session(account, now)}
        fails = self.store.fails.get(account, 0) + 1
        self.store.fails[account] = fails
        remain = opts.fail_times - fails
        if remain <= 0:
            self.store.locked_until[account] = now + timedelta(minutes=opts.lock_minutes)
            self.store.fails[account] = 0
            return 400, {"error": LOGIN_LOCKED.format(opts.lock_minutes)}
        if remain <= 3:
            return 400, {"error": LOCK_WARNING.format(remain)}
        return 400, {"error": LOGIN_FAILED}

    # -- users and products ---------------------------------------------------------------
    def _user(self, row: dict[str, Any]) -> dict[str, Any]:
        keys = ("id", "dept", "account", "realname", "role", "email")
        return {k: self.r.raw(k, row[k]) for k in keys}

    def me(self, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``GET /user``: the caller's profile."""
        row = next(r for r in self.store.tables["users"].values() if r["account"] == self.account)
        profile = {**self._user(row), "role": {"code": row["role"], "name": row["role"]}}
        profile.update({"type": "inside", "admin": row["account"] == "admin", "deleted": "0"})
        return 200, {"profile": profile}

    def users(self, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``GET /users``."""
        rows = self.store.live("users")
        return self.listing(
            rows, "users", query, default_limit=20, default_order="id_desc", render=self._user
        )

    def user(self, uid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``GET /users/{id}``."""
        row = self.store.get("users", uid)
        return (200, self._user(row)) if row else NOT_FOUND

    def _product(self, row: dict[str, Any]) -> dict[str, Any]:
        out = self.r.format(row, "createdDate:time,PO:user,QD:user,RD:user,createdBy:user")
        plans = [p for p in self.store.live("plans") if p["product"] == row["id"]]
        out.update({"plans": len(plans), "releases": 0, "bugs": 0, "progress": 0})
        return out

    def products(self, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``GET /products``."""
        return self.listing(
            self.store.live("products"),
            "products",
            query,
            default_limit=20,
            default_order="order_asc",
            render=self._product,
        )

    def product(self, pid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``GET /products/{id}``."""
        row = self.store.get("products", pid)
        return (200, self._product(row)) if row else NOT_FOUND
