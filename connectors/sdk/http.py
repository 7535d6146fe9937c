"""The HTTP client every connector uses: pooled, timed out, paced, retried, counted.

A connector builds one ``HttpClient`` per instance and sends every call through
``request``. What a response *means* is the connector's business, expressed as
a ``parse`` function that returns the decoded value or raises an SDK error; the
client owns everything around it (timeouts, pacing, the retry loop, counters).
Transport failures (timeouts, resets, truncated bodies) become
``TransientError`` so the retry policy treats them like a 503.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, Field

from connectors.sdk.budget import current_budget, vendor_quota
from connectors.sdk.errors import (
    AuthError,
    ConnectorError,
    MalformedResponse,
    RateLimited,
    TimedOut,
    TransientError,
    VendorError,
)
from connectors.sdk.masking import mask_url
from connectors.sdk.ratelimit import RateLimiter
from connectors.sdk.retry import RetryPolicy, Sleep

log = logging.getLogger("synchub.http")

T = TypeVar("T")
Parse = Callable[[httpx.Response], T]

TRANSIENT_STATUSES = frozenset({408, 425, 500, 502, 503, 504})


class HttpOptions(BaseModel):
    """Transport settings a connector config may embed; the defaults suit every vendor here."""

    timeout: float = Field(30.0, gt=0, description="Seconds to wait for a response.")
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to wait to connect.")
    max_connections: int = Field(10, ge=1, description="Pooled connections per instance.")
    max_concurrency: int = Field(4, ge=1, description="Requests in flight per instance.")
    rate_per_second: float | None = Field(
        None, gt=0, description="Client-side request pacing; empty means unpaced."
    )
    max_attempts: int = Field(6, ge=1, description="Tries per request, first one included.")
    max_backoff: float = Field(30.0, gt=0, description="Longest wait between two tries.")
    max_total_seconds: float = Field(
        300.0, gt=0, description="Cap on the time one request may take across retries."
    )

    def retry_policy(self) -> RetryPolicy:
        """The retry policy these options describe."""
        return RetryPolicy(
            max_attempts=self.max_attempts,
            max_backoff=self.max_backoff,
            max_total_seconds=self.max_total_seconds,
        )


@dataclass(slots=True)
class RequestStats:
    """Counters a run records: requests sent, by status, retried and rate-limited."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    errors: int = 0
    bytes_received: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready snapshot."""
        return {
            "requests": self.requests,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "errors": self.errors,
            "bytes_received": self.bytes_received,
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "seconds": round(self.seconds, 3),
        }


def retry_after_seconds(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Parse Retry-After as seconds or an HTTP date; ``None`` when absent or nonsense."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def raise_for_status(response: httpx.Response, *, connector: str | None = None) -> None:
    """Map a non-2xx status to the SDK error that says what to do next.

    Vendors that report failures inside 200 bodies check those themselves, after
    this has passed.
    """
    status = response.status_code
    if status < 400:
        return
    endpoint = str(response.request.url)
    detail = _short_body(response)
    common: dict[str, Any] = {"connector": connector, "endpoint": endpoint, "status": status}
    if status == 429:
        raise RateLimited(
            f"rate limited: {detail}", retry_after=retry_after_seconds(response), **common
        )
    if status in TRANSIENT_STATUSES:
        raise TransientError(f"server error: {detail}", **common)
    if status in (401, 403):
        raise AuthError(f"not authorised: {detail}", **common)
    raise VendorError(f"request refused: {detail}", **common)


def _short_body(response: httpx.Response, limit: int = 300) -> str:
    try:
        text = response.text
    except (UnicodeDecodeError, httpx.ResponseNotRead):
        return "<unreadable body>"
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "") if text else "<empty body>"


def decode_json(response: httpx.Response, *, connector: str | None = None) -> Any:
    """The body as JSON, or ``MalformedResponse`` naming the endpoint and what came back."""
    try:
        return json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedResponse(
            f"response is not valid JSON ({exc.msg if isinstance(exc, json.JSONDecodeError) else exc}): "
            f"{_short_body(response, 120)}",
            connector=connector,
            endpoint=str(response.request.url),
            status=response.status_code,
        ) from exc


def parse_json(response: httpx.Response) -> Any:
    """Default ``parse``: status table, then JSON."""
    raise_for_status(response)
    return decode_json(response)


class HttpClient:
    """One connector instance's HTTP client; see the module docstring."""

    def __init__(
        self,
        *,
        connector: str,
        base_url: str = "",
        options: HttpOptions | None = None,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.connector = connector
        self.options = options or HttpOptions()
        self.policy = self.options.retry_policy()
        self.stats = RequestStats()
        self._sleep = sleep
        # burst=1: pace evenly at the vendor's rate instead of spending its whole bucket at
        # once; a client bucket as deep as the vendor's drains the vendor's on network
        # jitter alone (a 429 and a Retry-After wait per few hundred requests)
        self.limiter = limiter or RateLimiter(
            self.options.rate_per_second, burst=1, max_concurrency=self.options.max_concurrency
        )
        self.client = httpx.AsyncClient(
            base_url=base_url,
            auth=auth,
            headers=dict(headers or {}),
            transport=transport,
            timeout=httpx.Timeout(self.options.timeout, connect=self.options.connect_timeout),
            limits=httpx.Limits(
                max_connections=self.options.max_connections,
                max_keepalive_connections=self.options.max_connections,
            ),
            follow_redirects=False,
        )

    async def request(
        self,
        method: str,
        url: str,
        *,
        parse: Parse[T] = parse_json,
        retry: bool = True,
        **kwargs: Any,
    ) -> T:
        """Send a request through pacing and the retry policy; return ``parse(response)``.

        ``retry=False`` sends it once: a create the vendor does not dedupe must not be
        re-sent blindly after a timeout (it may have been made); the caller looks it
        up by its external key and re-sends only what is missing.
        """
        attempts = 0

        async def attempt() -> T:
            nonlocal attempts
            attempts += 1
            if attempts > 1:
                self.stats.retries += 1
            response = await self._send(method, url, **kwargs)
            try:
                return parse(response)
            except RateLimited:
                self.stats.rate_limited += 1
                raise
            except ConnectorError as exc:
                self.stats.errors += 1
                if exc.connector is None:
                    exc.connector = self.connector
                raise

        if not retry:
            return await attempt()
        return await self.policy.call(attempt, sleep=self._sleep)

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        budget = current_budget.get()
        if budget is not None:
            await budget.before_request(self.connector)
        async with self.limiter.slot():
            started = time.perf_counter()
            self.stats.requests += 1
            try:
                response = await self.client.request(method, url, **kwargs)
            except httpx.TimeoutException as exc:
                self.stats.errors += 1
                raise TimedOut(
                    f"timed out ({type(exc).__name__})",
                    connector=self.connector,
                    endpoint=_url(self.client, url),
                ) from exc
            except httpx.TransportError as exc:
                self.stats.errors += 1
                raise TransientError(
                    f"transport failure ({type(exc).__name__}: {exc})",
                    connector=self.connector,
                    endpoint=_url(self.client, url),
                ) from exc
            finally:
                self.stats.seconds += time.perf_counter() - started
        if budget is not None:
            budget.after_response(self.connector, vendor_quota(response.headers))
        self.stats.by_status[response.status_code] += 1
        self.stats.bytes_received += len(response.content)
        log.debug("%s %s -> %s", method, mask_url(str(response.request.url)), response.status_code)
        return response

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self.client.aclose()


def _url(client: httpx.AsyncClient, url: str) -> str:
    try:
        return str(client.base_url.join(url))
    except (httpx.InvalidURL, TypeError):
        return url
