"""The U8 token: ``GET /system/token`` with the secret in clear, then ``token=`` on every call.

No signature scheme exists; the secret travels in the query string of the token
request only, and both secret and token are registered for masking.
"""

from __future__ import annotations

import time
from collections.abc import Generator

import httpx
from pydantic import SecretStr

from connectors.sdk import (
    AuthError,
    MalformedResponse,
    RefreshingAuth,
    VendorError,
    register_secret,
)
from connectors.yonyou_u8.client import is_rejected_token, parser

DEFAULT_LIFETIME = 7200.0


class U8TokenAuth(RefreshingAuth):
    """Fetch and apply the U8 token; the common account parameters are the client's job."""

    refresh_margin = 300.0

    def __init__(
        self,
        *,
        connector: str,
        base_url: str,
        from_account: str,
        app_key: str,
        app_secret: SecretStr,
        token_codes: frozenset[str],
    ) -> None:
        super().__init__()
        self._connector = connector
        self._url = base_url + "/system/token"
        self._params = {"from_account": from_account, "app_key": app_key}
        self._secret = app_secret
        self._token_codes = token_codes
        self.token: str | None = None

    def refresh_flow(self) -> Generator[httpx.Request, httpx.Response, None]:
        """Obtain a token; ``expiresIn`` (inside ``token``) sets the lifetime, else 2 h."""
        params = {**self._params, "app_secret": self._secret.get_secret_value()}
        response = yield httpx.Request("GET", self._url, params=params)
        try:
            body = parser(connector=self._connector, token_codes=frozenset())(response)
        except VendorError as exc:
            raise AuthError(
                f"token refused: {exc.message}",
                connector=self._connector,
                vendor_code=exc.vendor_code,
            ) from None
        token = body.get("token")
        if not isinstance(token, dict) or not token.get("id"):
            raise MalformedResponse("token answer carries no token.id", connector=self._connector)
        self.token = str(token["id"])
        register_secret(self.token)
        lifetime = float(token.get("expiresIn") or DEFAULT_LIFETIME)
        early = min(self.refresh_margin, lifetime / 10)
        self.expires_at = time.monotonic() + lifetime + self.refresh_margin - early

    def apply(self, request: httpx.Request) -> None:
        """Set the ``token`` query parameter (replacing a stale one)."""
        assert self.token is not None
        request.url = request.url.copy_set_param("token", self.token)

    def is_rejected(self, response: httpx.Response) -> bool:
        """The configured token errcodes."""
        return is_rejected_token(response, self._token_codes)
