"""Authentication as one straight flow: apply, send, on rejection refresh once and resend.

Vendors differ in how a credential is obtained (OAuth refresh, a login call that
sets a session cookie, a signed request) and in how a rejection looks (401, or a
200 body with a vendor code), but never in the shape of the flow. A connector
subclasses ``RefreshingAuth`` and fills in four small hooks; the token request
itself is yielded through the same client, so it is paced, mocked and counted
like any other request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Generator
from typing import ClassVar

import httpx

from connectors.sdk.errors import AuthError


class RefreshingAuth(httpx.Auth):
    """Base for credentials that expire and must be refreshed.

    Hooks:
    - ``refresh_flow()``: a generator yielding the request(s) that obtain a new
      credential and storing it (it receives each response via ``send``).
    - ``apply(request)``: put the current credential on a request.
    - ``is_rejected(response)``: whether the vendor said the credential is bad.
    - ``expires_at``: monotonic time after which the credential is refreshed
      pre-emptively (``refresh_margin`` seconds early).
    """

    requires_response_body = True
    refresh_margin: ClassVar[float] = 60.0

    def __init__(self) -> None:
        self.expires_at: float | None = None
        self.has_credential = False
        self.refreshes = 0
        self._lock = asyncio.Lock()

    def refresh_flow(self) -> Generator[httpx.Request, httpx.Response, None]:
        """Yield the request(s) that mint a credential and store it."""
        raise NotImplementedError  # pragma: no cover - abstract hook

    def apply(self, request: httpx.Request) -> None:
        """Put the current credential on ``request``."""
        raise NotImplementedError  # pragma: no cover - abstract hook

    def is_rejected(self, response: httpx.Response) -> bool:
        """Whether ``response`` says the credential was refused; 401 by default."""
        return response.status_code == 401

    def needs_refresh(self) -> bool:
        """Whether a credential must be fetched before the next request."""
        if not self.has_credential:
            return True
        return (
            self.expires_at is not None
            and time.monotonic() >= self.expires_at - self.refresh_margin
        )

    def invalidate(self) -> None:
        """Forget the current credential (for tests and after a rejection)."""
        self.has_credential = False

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Refresh if needed and send; on rejection refresh once and resend, then give up."""
        seen = self.refreshes
        for attempt in (1, 2):
            if attempt == 2 or self.needs_refresh():
                async with self._lock:
                    # Someone else may have refreshed while we waited for the lock.
                    stale = self.needs_refresh() if attempt == 1 else self.refreshes == seen
                    if stale:
                        flow = self.refresh_flow()
                        token_request = next(flow, None)
                        while token_request is not None:
                            token_response = yield token_request
                            await token_response.aread()
                            token_request = _advance(flow, token_response)
                        self.has_credential = True
                        self.refreshes += 1
            seen = self.refreshes
            self.apply(request)
            response = yield request
            if self.requires_response_body:
                # httpx reads the body for its own auth flows only; body-coded rejections
                # (HTTP 200 with a vendor code) need it read before ``is_rejected``.
                await response.aread()
            if not self.is_rejected(response):
                return
        raise AuthError(
            "credentials rejected after a refresh",
            endpoint=str(request.url),
            status=response.status_code,
        )

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Connectors are async; a sync client using this auth is a programming error."""
        raise RuntimeError("RefreshingAuth supports only httpx.AsyncClient")


def _advance(
    flow: Generator[httpx.Request, httpx.Response, None], response: httpx.Response
) -> httpx.Request | None:
    try:
        return flow.send(response)
    except StopIteration:
        return None
