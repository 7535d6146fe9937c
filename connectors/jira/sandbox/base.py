"""What every route of the simulated site shares: who is asking, and how refusals look.

Cloud authenticates Basic ``email:api_token``; Data Center a Bearer personal
access token (Basic is refused there, as on DC 11 by default), and after
repeated failures answers ``AUTHENTICATION_DENIED`` as its CAPTCHA does. A
valid request also gets a ``JSESSIONID`` session cookie, which
``expire_credentials`` ends (tokens and PATs stay valid: they are per request).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from starlette.requests import Request

from connectors.jira.sandbox.model import Issue, Project, User, jira_timestamp
from connectors.jira.sandbox.render import View

if TYPE_CHECKING:
    from connectors.jira.sandbox.core import JiraSandbox

API = "/rest/api/{version}"
NOT_VISIBLE = "Issue does not exist or you do not have permission to see it."


class Refusal(Exception):
    """An error answer, raised from deep inside a handler."""

    def __init__(
        self,
        status: int,
        messages: list[str] | None = None,
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.messages = messages or []
        self.errors = errors or {}
        self.headers = headers or {}
        super().__init__(f"{status}: {self.messages} {self.errors}")


def envelope(messages: list[str], errors: dict[str, str] | None = None) -> dict[str, Any]:
    """Jira's error body."""
    return {"errorMessages": messages, "errors": errors or {}}


class RouteBase:
    """State and helpers the route groups share."""

    def __init__(self, sandbox: JiraSandbox) -> None:
        self.sb = sandbox

    def view(self, request: Request) -> View:
        """Who is asking and through which API version."""
        user: User | None = request.state.user
        version = request.path_params.get("version", "2")
        version = "2" if version == "latest" else version
        shown = user or self.sb.default_user
        return View(self.sb.base_url, version, self.sb.flavour, shown, ZoneInfo(shown.time_zone))

    # -- authentication ----------------------------------------------------------------
    def _authenticate(self, request: Request, *, anonymous: bool) -> User | None:
        header = request.headers.get("authorization", "")
        with self.sb.lock:
            if header:
                user = self._credential(header)
                if user is None:
                    self._refuse_login()
                self.sb.failed_logins = 0
                return user
            session = request.cookies.get("JSESSIONID")
            if session and session in self.sb.sessions:
                return self.sb.store.users[self.sb.sessions[session]]
        if anonymous and (self.sb.anonymous_access or request.url.path.endswith("serverInfo")):
            return None
        self._refuse_login(anonymous=True)
        raise AssertionError("unreachable")

    def _credential(self, header: str) -> User | None:
        scheme, _, value = header.partition(" ")
        users = self.sb.store.users.values()
        if scheme.lower() == "basic" and self.sb.flavour == "cloud":
            try:
                email, _, token = base64.b64decode(value).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return next((u for u in users if u.email == email and u.api_token == token), None)
        if scheme.lower() == "bearer" and self.sb.flavour == "dc":
            return next((u for u in users if u.pat == value), None)
        return None

    def _refuse_login(self, *, anonymous: bool = False) -> None:
        if self.sb.flavour == "cloud":
            raise Refusal(401, ["Client must be authenticated to access this resource."])
        if not anonymous:
            self.sb.failed_logins += 1
        if self.sb.failed_logins > self.sb.captcha_after:
            raise Refusal(
                403,
                ["CAPTCHA_CHALLENGE; login denied. Log in through the web interface first."],
                headers={
                    "X-Seraph-LoginReason": "AUTHENTICATION_DENIED",
                    "X-Authentication-Denied-Reason": "CAPTCHA_CHALLENGE",
                },
            )
        raise Refusal(
            401,
            ["You are not authenticated. Authentication required to perform this operation."],
            headers={
                "X-Seraph-LoginReason": "AUTHENTICATED_FAILED" if not anonymous else "OK",
                "WWW-Authenticate": 'OAuth realm="jira"',
            },
        )

    def _user(self, request: Request) -> User:
        user: User | None = request.state.user
        if user is None:
            raise Refusal(
                401,
                ["You are not authenticated. Authentication required to perform this operation."],
            )
        return user

    def _project(self, request: Request) -> Project:
        project = self.sb.store.project(request.path_params["key"])
        if project is None:
            raise Refusal(
                404, [f"No project could be found with key '{request.path_params['key']}'."]
            )
        return project

    def _issue(self, request: Request) -> Issue:
        if request.state.user is None:
            raise Refusal(404, ["Issue does not exist or you do not have permission to see it."])
        issue = self.sb.store.find(request.path_params["key"])
        if issue is None:
            raise Refusal(404, ["Issue does not exist or you do not have permission to see it."])
        return issue


def _ts(value: Any, view: View) -> str:
    return jira_timestamp(value, view.zone)


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Refusal(400, [f"Unexpected character in request body: {exc}"]) from None


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _split(value: Any) -> list[str] | None:
    if value is None or value == "":
        return None
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _list_param(request: Request, name: str) -> list[str] | None:
    values = request.query_params.getlist(name)
    if not values:
        return None
    out: list[str] = []
    for value in values:
        out.extend(_split(value) or [])
    return out
