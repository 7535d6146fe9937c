"""Zoho CRM over HTTP: one place that knows the envelopes, the error codes and the JSON dialect.

What a response *means* is data (``ERROR_ACTIONS``), not a chain of ifs, so a new
vendor code is one line. Money comes back as JSON numbers; they are decoded as
``Decimal`` so nothing downstream ever sees a float. Ids are strings already and
stay strings (they exceed 2**53).
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx

from connectors.sdk import (
    AuthError,
    ConnectorError,
    HttpClient,
    MalformedResponse,
    RateLimited,
    TransientError,
    VendorError,
    retry_after_seconds,
)
from connectors.zoho_crm.auth import ZohoOAuth

ERROR_ACTIONS: dict[str, type[ConnectorError]] = {
    "INVALID_TOKEN": AuthError,
    "AUTHENTICATION_FAILURE": AuthError,
    "OAUTH_SCOPE_MISMATCH": AuthError,
    "NO_PERMISSION": AuthError,
    "TOO_MANY_REQUESTS": RateLimited,
    "INTERNAL_ERROR": TransientError,
    "INTERNAL_SERVER_ERROR": TransientError,
}
"""Top-level vendor codes and the SDK error that says what to do; others are ``VendorError``."""

STATUS_ACTIONS: dict[int, type[ConnectorError]] = {
    401: AuthError,
    403: AuthError,
    429: RateLimited,
    500: TransientError,
    502: TransientError,
    503: TransientError,
    504: TransientError,
}
"""Fallback by HTTP status when the body carries no code (a proxy's page, an empty body)."""

EMPTY_STATUSES = frozenset({204, 304})
"""Zoho's "nothing here" (204) and "nothing changed since" (304): empty bodies, not errors."""


def decode(response: httpx.Response, connector: str) -> Any:
    """The body as JSON with exact decimals, or ``MalformedResponse`` naming the endpoint."""
    try:
        return json.loads(response.content, parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        text = " ".join(response.text.split())[:120] if response.content else "<empty body>"
        raise MalformedResponse(
            f"response is not valid JSON ({exc}): {text}",
            connector=connector,
            endpoint=str(response.request.url),
            status=response.status_code,
        ) from None


def _jsonable(value: Any) -> Any:
    """Decimals to floats only when the float prints back as the same number."""
    if isinstance(value, Decimal):
        as_float = float(value)
        if Decimal(repr(as_float)) != value:
            raise ValueError(f"{value} cannot be sent exactly as a JSON number")
        return as_float
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")  # Zoho: ISO 8601 with the offset
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def encode(payload: Any) -> bytes:
    """Compact UTF-8 JSON of a request body; ``ValueError`` for an inexact amount."""
    return json.dumps(_jsonable(payload), ensure_ascii=False, separators=(",", ":")).encode()


class ZohoApi:
    """Authenticated calls to ``{api_domain}/crm/{version}/...``, parsed the Zoho way."""

    def __init__(self, http: HttpClient, auth: ZohoOAuth, *, version: str, connector: str) -> None:
        self.http = http
        self.auth = auth
        self.version = version
        self.connector = connector
        self._ready = asyncio.Lock()

    async def ensure_token(self) -> None:
        """Mint the first token through the paced, retried client, then aim at ``api_domain``.

        Later refreshes happen inside the auth flow; the first one is done here
        because the API host is only known once a token response has named it.
        """
        if not self.auth.has_credential:
            async with self._ready:
                if not self.auth.has_credential:
                    await self.http.request(
                        "POST",
                        self.auth.token_url,
                        data=self.auth.token_form(),
                        auth=None,
                        parse=self.auth.accept,
                    )
                    self.auth.refreshes += 1
        if str(self.http.client.base_url).rstrip("/") != self.auth.api_domain:
            self.http.client.base_url = httpx.URL(self.auth.api_domain)

    def path(self, *parts: str) -> str:
        """``/crm/{version}/a/b`` for path parts."""
        return "/".join(("", "crm", self.version, *parts))

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Send one call; ``None`` for Zoho's empty answers (204, 304), else the decoded body."""
        await self.ensure_token()
        kwargs: dict[str, Any] = {}
        if params:
            kwargs["params"] = params
        send_headers = dict(headers or {})
        if body is not None:
            kwargs["content"] = encode(body)
            send_headers["Content-Type"] = "application/json"
        if send_headers:
            kwargs["headers"] = send_headers
        result = await self.http.request(method, path, parse=self.parse, **kwargs)
        await self.ensure_token()  # a refresh inside the flow may have named a new api_domain
        return result

    def parse(self, response: httpx.Response) -> Any:
        """Status and envelope to value or SDK error; per-record errors are left to the caller."""
        status = response.status_code
        if status in EMPTY_STATUSES:
            return None
        if status < 300:
            body = decode(response, self.connector)
            if not isinstance(body, dict):
                raise self._error(MalformedResponse, response, "expected a JSON object", None)
            return body
        try:
            body = json.loads(response.content, parse_float=Decimal)
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if status == 400 and isinstance(body, dict) and isinstance(body.get("data"), list):
            return body  # every record of a write was refused: per-record errors, not a call error
        code = body.get("code") if isinstance(body, dict) else None
        kind = ERROR_ACTIONS.get(str(code)) if code else None
        kind = (
            kind or STATUS_ACTIONS.get(status) or (TransientError if status >= 500 else VendorError)
        )
        if isinstance(body, dict) and code:
            message = f"{code}: {body.get('message', '')}"
            details = body.get("details")
            if details:
                message += f" {json.dumps(details, ensure_ascii=False, default=str)[:300]}"
        else:
            message = " ".join(response.text.split())[:300] or "<empty body>"
        raise self._error(kind, response, message, str(code) if code else None)

    def _error(
        self,
        kind: type[ConnectorError],
        response: httpx.Response,
        message: str,
        code: str | None,
    ) -> ConnectorError:
        common: dict[str, Any] = {
            "connector": self.connector,
            "endpoint": str(response.request.url),
            "status": response.status_code,
            "vendor_code": code,
        }
        if kind is RateLimited:
            return RateLimited(message, retry_after=_retry_hint(response), **common)
        return kind(message, **common)


def _retry_hint(response: httpx.Response) -> float | None:
    """Retry-After if sent, else ``details.retry_after`` (the v8 spec's 429 sample carries it)."""
    header = retry_after_seconds(response)
    if header is not None:
        return header
    try:
        body = json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    details = body.get("details") if isinstance(body, dict) else None
    value = details.get("retry_after") if isinstance(details, dict) else None
    return float(value) if isinstance(value, int | float) and value >= 0 else None
