"""Both authentication styles, each as one ``RefreshingAuth`` flow.

- ``SignedAuth``: every call carries the v8 SDK's signed headers; the server mints
  a session on the fly and the session cookie is echoed afterwards, as the SDK
  does. "Refreshing" means forgetting that session so the next call is judged
  on its signature alone.
- ``SessionAuth``: ``LoginByAppSecret`` or ``ValidateUser`` once, then the
  ``kdservice-sessionid`` cookie (and header) on every call.

Either way a lost session is not a 401 but MsgCode 1 inside an HTTP 200 body
(wrapped in ``[[...]]`` on queries); the base class then refreshes once and
resends, and a second rejection is an ``AuthError`` (it means the credentials
are wrong: the message is misleading, but a loop would not help).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Generator
from http.cookies import CookieError, SimpleCookie
from typing import Any

import httpx

from connectors.kingdee.client import extract_status, response_error_text
from connectors.kingdee.protocol import (
    LOGIN_BY_APP_SECRET,
    SESSION_COOKIE,
    VALIDATE_USER,
    MsgCode,
    service_path,
)
from connectors.kingdee.signing import SigningIdentity, signed_headers
from connectors.sdk import AuthError, MalformedResponse, RefreshingAuth, TransientError

Clock = Callable[[], float]


class _SessionCookies(RefreshingAuth):
    """Shared part: remember the cookies the server sets, replay them, spot MsgCode 1."""

    refresh_margin = 0.0

    def __init__(self, connector: str) -> None:
        super().__init__()
        self.connector = connector
        self.cookies: dict[str, str] = {}

    @property
    def session_id(self) -> str | None:
        """The current ``kdservice-sessionid``, if the server issued one."""
        return self.cookies.get(SESSION_COOKIE)

    def remember(self, response: httpx.Response) -> None:
        """Keep every cookie the server sets (the session id and ``ASP.NET_SessionId``)."""
        for header in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            with contextlib.suppress(CookieError):  # a cookie we cannot read is not replayed
                jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value

    def apply_session(self, request: httpx.Request) -> None:
        """Replay the session as cookie and header; send none when there is none."""
        if not self.cookies:
            request.headers.pop("Cookie", None)
            request.headers.pop(SESSION_COOKIE, None)
            return
        request.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.session_id:
            request.headers[SESSION_COOKIE] = self.session_id

    def is_rejected(self, response: httpx.Response) -> bool:
        """MsgCode 1 in a 200 body (any wrapping) means the session is gone."""
        self.remember(response)
        if response.status_code != 200:
            return False
        try:
            body = json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return False
        status = extract_status(body)
        return status is not None and status.get("MsgCode") == MsgCode.SESSION_LOST


class SignedAuth(_SessionCookies):
    """Signed headers on every call (no login call at all)."""

    def __init__(
        self, identity: SigningIdentity, *, connector: str, clock: Clock = time.time
    ) -> None:
        super().__init__(connector)
        self.identity = identity
        self.clock = clock

    def refresh_flow(self) -> Generator[httpx.Request, httpx.Response, None]:
        """Drop the session; the next call is verified by its signature and gets a new one."""
        self.cookies.clear()
        yield from ()

    def apply(self, request: httpx.Request) -> None:
        """Sign for this URL and the current second; echo the session if there is one."""
        request.headers.update(
            signed_headers(self.identity, str(request.url), timestamp=int(self.clock()))
        )
        self.apply_session(request)


class SessionAuth(_SessionCookies):
    """A login call, then the session cookie."""

    def __init__(
        self,
        *,
        base_url: str,
        method: str,
        parameters: Callable[[], list[Any]],
        connector: str,
    ) -> None:
        super().__init__(connector)
        self.url = base_url + service_path(
            LOGIN_BY_APP_SECRET if method == "app_secret" else VALIDATE_USER
        )
        self.parameters = parameters

    def refresh_flow(self) -> Generator[httpx.Request, httpx.Response, None]:
        """Log in and keep the session the server returns."""
        self.cookies.clear()
        request = httpx.Request(
            "POST",
            self.url,
            content=json.dumps({"parameters": self.parameters()}).encode(),
            headers={"Content-Type": "application/json"},
        )
        response = yield request
        self.remember(response)
        session = self._parse_login(response)
        self.cookies[SESSION_COOKIE] = session

    def apply(self, request: httpx.Request) -> None:
        """Send the session cookie and header."""
        self.apply_session(request)

    def _parse_login(self, response: httpx.Response) -> str:
        where: dict[str, Any] = {
            "connector": self.connector,
            "endpoint": self.url,
            "status": response.status_code,
        }
        text = response_error_text(response)
        if text is not None:
            raise MalformedResponse(f"login failed on the server: {text}", **where)
        if response.status_code >= 500:
            raise TransientError(f"login call failed: HTTP {response.status_code}", **where)
        if response.status_code != 200:
            raise AuthError(f"login refused: HTTP {response.status_code}", **where)
        try:
            body = json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MalformedResponse(f"login reply is not JSON: {exc}", **where) from exc
        result = body.get("Result") if isinstance(body, dict) and "Result" in body else body
        if not isinstance(result, dict):
            raise MalformedResponse("login reply has no login result", **where)
        if result.get("LoginResultType") != 1:
            reason = result.get("Message") or _status_message(result) or "no reason given"
            raise AuthError(
                f"login refused (LoginResultType={result.get('LoginResultType')}): {reason}",
                vendor_code=str(result.get("LoginResultType")),
                **where,
            )
        session = result.get("KDSVCSessionId") or self.cookies.get(SESSION_COOKIE)
        if not session:
            raise MalformedResponse("login succeeded but no session id came back", **where)
        return str(session)


def _status_message(result: dict[str, Any]) -> str | None:
    status = result.get("ResponseStatus")
    if isinstance(status, dict):
        errors = status.get("Errors") or []
        return "; ".join(str(e.get("Message")) for e in errors if isinstance(e, dict)) or None
    return None
