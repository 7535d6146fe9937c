"""ZenTao REST v1 login: ``POST /tokens`` returns a session id sent back as the ``Token`` header.

The token *is* a PHP session id: it dies silently on idle timeout, logout or a
password change, and there is no refresh endpoint. So the flow is the SDK's
``RefreshingAuth``: log in on first use, on a 401 log in again once and resend,
then give up. A refused login is remembered, because ZenTao locks the account
after six wrong passwords in a row; retrying bad credentials would lock out
the real user as well.
"""

from __future__ import annotations

import json
from collections.abc import Generator

import httpx

from connectors.sdk import AuthError, MalformedResponse, RefreshingAuth, TransientError
from connectors.zentao.errors import error_text


class ZentaoTokenAuth(RefreshingAuth):
    """``Token`` header auth with one re-login on rejection; see the module docstring."""

    def __init__(self, api_url: str, account: str, password: str, *, connector: str) -> None:
        super().__init__()
        self.api_url = api_url
        self.account = account
        self._password = password
        self.connector = connector
        self.token: str | None = None
        self.refused: str | None = None
        """The server's words when it refused the credentials; no further login is tried."""

    def refresh_flow(self) -> Generator[httpx.Request, httpx.Response, None]:
        """Log in once; a refusal is final for this instance (see the module docstring)."""
        if self.refused is not None:
            raise AuthError(
                f"ZenTao refused the login earlier ({self.refused}); not retrying, "
                "to avoid locking the account",
                connector=self.connector,
                endpoint=f"{self.api_url}/tokens",
            )
        response = yield httpx.Request(
            "POST",
            f"{self.api_url}/tokens",
            json={"account": self.account, "password": self._password},
        )
        self.token = self._token_from(response)

    def _token_from(self, response: httpx.Response) -> str:
        endpoint = f"{self.api_url}/tokens"
        status = response.status_code
        if status >= 500 or status == 429:
            raise TransientError(
                f"login failed with HTTP {status}",
                connector=self.connector,
                endpoint=endpoint,
                status=status,
            )
        try:
            body = json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise MalformedResponse(
                "login answered with a body that is not JSON (is base_url the ZenTao web root?)",
                connector=self.connector,
                endpoint=endpoint,
                status=status,
            ) from None
        token = body.get("token") if isinstance(body, dict) else None
        if 200 <= status < 300 and isinstance(token, str) and token:
            return token
        reason = error_text(body.get("error") if isinstance(body, dict) else body)
        self.refused = reason or f"HTTP {status}"
        raise AuthError(
            f"ZenTao refused the login of {self.account!r}: {self.refused}",
            connector=self.connector,
            endpoint=endpoint,
            status=status,
        )

    def apply(self, request: httpx.Request) -> None:
        """Send the session id in the ``Token`` header, as every v1 client does."""
        if self.token:
            request.headers["Token"] = self.token
