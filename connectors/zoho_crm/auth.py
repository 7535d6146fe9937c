"""Zoho OAuth: a cached access token minted from the refresh token, refreshed once on rejection.

Two Zoho habits shape this module. The token endpoint reports failure inside an
HTTP 200 body (``{"error": "invalid_client"}``), so success means "the body has
an ``access_token``", never "the status was 200". And the token response names
the API host (``api_domain``) the org lives on, which is the base every later
call must use.
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator
from typing import Any

import httpx
from pydantic import SecretStr

from connectors.sdk import (
    AuthError,
    MalformedResponse,
    RateLimited,
    RefreshingAuth,
    TransientError,
    register_secret,
    retry_after_seconds,
)
from connectors.zoho_crm.config import check_base_url

TOKEN_ERRORS: dict[str, str] = {
    "invalid_client": "the client id or secret is wrong, or the token belongs to another data centre",
    "invalid_code": "the refresh token is unknown, expired or revoked",
    "invalid_client_secret": "the client secret is wrong",
    "access_denied": "the accounts server refused (too many token requests?)",
}
"""Token endpoint error codes and what a person should check."""


class ZohoOAuth(RefreshingAuth):
    """``Authorization: Zoho-oauthtoken ...`` from a self-client's refresh token."""

    refresh_margin = 300.0  # Zoho advice: refresh about five minutes before expiry

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: SecretStr,
        refresh_token: SecretStr,
        default_api_domain: str,
        connector: str,
    ) -> None:
        super().__init__()
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self.api_domain = default_api_domain
        self.connector = connector
        self._access_token: str | None = None

    def token_form(self) -> dict[str, str]:
        """The refresh-token grant as form fields (the official SDK's way)."""
        return {
            "refresh_token": self._refresh_token.get_secret_value(),
            "client_id": self.client_id,
            "client_secret": self._client_secret.get_secret_value(),
            "grant_type": "refresh_token",
        }

    def refresh_flow(self) -> Generator[httpx.Request, httpx.Response, None]:
        """Mint a new access token (run by the SDK flow on expiry or rejection)."""
        response = yield httpx.Request("POST", self.token_url, data=self.token_form())
        self.accept(response)

    def accept(self, response: httpx.Response) -> None:
        """Store the token a token-endpoint response carries, or raise why there is none."""
        payload = self._token_payload(response)
        token = payload.get("access_token")
        if not isinstance(token, str) or not token:
            code = str(payload.get("error") or "no access_token in the response")
            hint = TOKEN_ERRORS.get(code, "check the self-client credentials")
            raise AuthError(
                f"Zoho accounts server refused the refresh token: {code} ({hint})",
                connector=self.connector,
                endpoint=self.token_url,
                vendor_code=code,
                status=response.status_code,
            )
        register_secret(token)
        self._access_token = token
        self.expires_at = time.monotonic() + _expires_in_seconds(payload)
        domain = payload.get("api_domain")
        if isinstance(domain, str) and domain:
            try:
                self.api_domain = check_base_url(domain, what="api_domain")
            except ValueError as exc:
                raise MalformedResponse(
                    f"token response names an unusable api_domain: {exc}",
                    connector=self.connector,
                    endpoint=self.token_url,
                ) from None
        self.has_credential = True

    def _token_payload(self, response: httpx.Response) -> dict[str, Any]:
        common: dict[str, Any] = {
            "connector": self.connector,
            "endpoint": self.token_url,
            "status": response.status_code,
        }
        if response.status_code == 429:
            raise RateLimited(
                "Zoho accounts server is throttling token requests",
                retry_after=retry_after_seconds(response),
                **common,
            )
        if response.status_code >= 500:
            raise TransientError("Zoho accounts server error", **common)
        try:
            payload = json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise MalformedResponse("token response is not JSON", **common) from None
        if not isinstance(payload, dict):
            raise MalformedResponse("token response is not a JSON object", **common)
        return payload

    def apply(self, request: httpx.Request) -> None:
        """Zoho wants its own scheme name, not ``Bearer``, despite ``token_type: Bearer``."""
        request.headers["Authorization"] = f"Zoho-oauthtoken {self._access_token}"

    def is_rejected(self, response: httpx.Response) -> bool:
        """Only ``INVALID_TOKEN`` is worth a refresh; a scope or permission error is not."""
        if response.status_code != 401:
            return False
        try:
            body = json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return False
        return isinstance(body, dict) and body.get("code") == "INVALID_TOKEN"


def _expires_in_seconds(payload: dict[str, Any]) -> float:
    """Seconds of validity; pre-2019 responses sent ``expires_in`` in ms plus ``expires_in_sec``."""
    for key in ("expires_in_sec", "expires_in"):
        value = payload.get(key)
        if isinstance(value, int | float) and value > 0:
            return float(value)
    return 3600.0
