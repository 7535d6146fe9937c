"""The self-built app token: signed GET, cached for ``expire`` seconds, sent as a query parameter.

YonBIP takes the token in the URL (``?access_token=``), not in a header, and
rejects a stale one inside an HTTP 200 body (``310036``). ``RefreshingAuth``
gives the flow (refresh ahead of expiry, once more on rejection, then
``AuthError``); this class only says how to sign, store and apply.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator

import httpx
from pydantic import SecretStr

from connectors.sdk import MalformedResponse, RefreshingAuth, register_secret
from connectors.yonyou_bip.client import auth_parser, is_rejected_token
from connectors.yonyou_bip.signing import token_signature

Clock = Callable[[], float]


class BipTokenAuth(RefreshingAuth):
    """Signs token requests with the app secret and puts ``access_token`` on every call."""

    refresh_margin = 300.0  # the facts file: refresh about five minutes early

    def __init__(
        self,
        *,
        connector: str,
        token_url: Callable[[], str],
        path: str,
        app_key: str,
        app_secret: SecretStr,
        clock: Clock = time.time,
    ) -> None:
        super().__init__()
        self._connector = connector
        self._token_url = token_url
        self._path = path
        self._app_key = app_key
        self._app_secret = app_secret
        self._clock = clock
        self.token: str | None = None

    def token_request(self) -> httpx.Request:
        """The signed GET for a new token, stamped with the clock in milliseconds."""
        timestamp = str(int(self._clock() * 1000))
        signature = token_signature(self._app_key, self._app_secret.get_secret_value(), timestamp)
        params = {"appKey": self._app_key, "timestamp": timestamp, "signature": signature}
        return httpx.Request("GET", self._token_url() + self._path, params=params)

    def refresh_flow(self) -> Generator[httpx.Request, httpx.Response, None]:
        """Fetch a token; a refusal raises ``AuthError`` with the vendor's words."""
        response = yield self.token_request()
        data = auth_parser(connector=self._connector)(response)
        if not isinstance(data, dict) or not data.get("access_token"):
            raise MalformedResponse(
                "token answer carries no access_token", connector=self._connector
            )
        self.token = str(data["access_token"])
        register_secret(self.token)
        lifetime = float(data.get("expire") or 7200)
        # Refresh ``refresh_margin`` early, but never more than a tenth of a short lifetime.
        early = min(self.refresh_margin, lifetime / 10)
        self.expires_at = time.monotonic() + lifetime + self.refresh_margin - early

    def apply(self, request: httpx.Request) -> None:
        """Set (or replace) the ``access_token`` query parameter."""
        assert self.token is not None
        request.url = request.url.copy_set_param("access_token", self.token)

    def is_rejected(self, response: httpx.Response) -> bool:
        """310001 / 310036 in a 200 body, or the plain-text ``非法token``."""
        return is_rejected_token(response)
