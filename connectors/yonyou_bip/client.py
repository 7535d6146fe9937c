"""What a YonBIP response means: two success codes, errors inside HTTP 200, a table of codes.

The meaning of each vendor code is data (``ERROR_TABLE``), not a chain of ifs:
the parse functions look a code up and raise the SDK error that says what to do
next. A save refused for the record's own reasons becomes ``RecordError`` so the
rest of the batch carries on; the same code on a list call refuses the call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import Enum
from typing import Any

import httpx

from connectors.sdk import (
    AuthError,
    MalformedResponse,
    RateLimited,
    RecordError,
    TransientError,
    VendorError,
    raise_for_status,
)
from connectors.yonyou_bip.wire import loads

AUTH_OK = "00000"
BUSINESS_OK = "200"
REPLAYED = frozenset({"100004", "10004"})
"""MDD idempotency: the key was used before more than an hour ago; ``data`` holds the id."""


class Action(Enum):
    """What the caller should do about a vendor code."""

    REFRESH = "refresh"
    RATE_LIMITED = "rate_limited"
    RETRY = "retry"
    RECORD = "record"
    FATAL = "fatal"


ERROR_TABLE: dict[str, Action] = {
    "310001": Action.REFRESH,  # access_token missing
    "310036": Action.REFRESH,  # token invalid or expired ("非法token")
    "310003": Action.RETRY,  # token service failed
    "310032": Action.RATE_LIMITED,
    "310039": Action.RATE_LIMITED,
    "310042": Action.RATE_LIMITED,
    "310046": Action.RATE_LIMITED,
    "202": Action.RETRY,  # idempotent save still processing: same key again
    "310504": Action.RETRY,  # gateway timeout to the backend
    "310043": Action.RETRY,  # circuit breaker open
    "310071": Action.RETRY,
    "310072": Action.RETRY,
    "315001": Action.RETRY,
    "999": Action.RECORD,
    "0": Action.RECORD,  # customer save failures answer with number 0
    "1002": Action.RECORD,
    "310008": Action.RECORD,
    "310015": Action.RECORD,
    "310023": Action.RECORD,
    "310002": Action.FATAL,
    "310005": Action.FATAL,
    "310006": Action.FATAL,
    "310037": Action.FATAL,  # API not authorised for this app
    "310404": Action.FATAL,
    "310405": Action.FATAL,
}

REJECTED_TOKEN_CODES = frozenset(c for c, a in ERROR_TABLE.items() if a is Action.REFRESH)


def envelope(response: httpx.Response, *, connector: str) -> dict[str, Any]:
    """The JSON envelope of a YonBIP answer; plain-text ``非法token`` reads as 310036."""
    endpoint = str(response.request.url)
    if response.status_code == 404:
        body = _try_json(response)
        code = str(body.get("code")) if isinstance(body, dict) else "310404"
        raise VendorError(
            f"path not registered at the gateway: {_message(body)}",
            connector=connector,
            endpoint=endpoint,
            status=404,
            vendor_code=code,
        )
    raise_for_status(response, connector=connector)
    body = _try_json(response)
    if body is None:
        text = response.text.strip()
        if text == "非法token":
            return {"code": "310036", "message": text}
        raise MalformedResponse(
            f"response is not JSON: {text[:120]!r}",
            connector=connector,
            endpoint=endpoint,
            status=response.status_code,
        )
    if not isinstance(body, dict) or "code" not in body:
        raise MalformedResponse(
            "response has no code field", connector=connector, endpoint=endpoint
        )
    return body


def _try_json(response: httpx.Response) -> Any:
    try:
        return loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _message(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("message") or body.get("displayCode") or "")
    return ""


def raise_for_code(
    body: dict[str, Any],
    *,
    connector: str,
    endpoint: str,
    rate_limit_codes: frozenset[str],
    rate_limit_wait: float,
    record_level: bool = False,
) -> None:
    """Raise the SDK error the vendor code calls for; the vendor's message is kept verbatim."""
    code = str(body.get("code"))
    message = _message(body) or f"YonBIP answered code {code}"
    common: dict[str, Any] = {"connector": connector, "endpoint": endpoint, "vendor_code": code}
    unknown = Action.RECORD if record_level else Action.FATAL
    action = Action.RATE_LIMITED if code in rate_limit_codes else ERROR_TABLE.get(code, unknown)
    if action is Action.RATE_LIMITED:
        raise RateLimited(f"throttled: {message}", retry_after=rate_limit_wait, **common)
    if action is Action.REFRESH:
        raise AuthError(f"token rejected: {message}", **common)
    if action is Action.RETRY:
        raise TransientError(f"temporary failure: {message}", **common)
    if action is Action.RECORD and record_level:
        raise RecordError(message, **common)
    raise VendorError(message, **common)


def business_parser(
    *,
    connector: str,
    rate_limit_codes: frozenset[str],
    rate_limit_wait: float,
    record_level: bool = False,
    accept_replay: bool = False,
) -> Callable[[httpx.Response], Any]:
    """A ``parse`` for ``HttpClient.request``: ``data`` of a code-200 answer, else an error.

    ``accept_replay`` treats the MDD duplicate codes as success (their ``data``
    carries the id of the record the first call created).
    """

    def parse(response: httpx.Response) -> Any:
        body = envelope(response, connector=connector)
        code = str(body.get("code"))
        if code == BUSINESS_OK or (accept_replay and code in REPLAYED):
            return body.get("data")
        raise_for_code(
            body,
            connector=connector,
            endpoint=str(response.request.url),
            rate_limit_codes=rate_limit_codes,
            rate_limit_wait=rate_limit_wait,
            record_level=record_level,
        )
        raise AssertionError("unreachable")  # pragma: no cover

    return parse


def auth_parser(*, connector: str) -> Callable[[httpx.Response], Any]:
    """A ``parse`` for the token and discovery endpoints, whose success code is "00000"."""

    def parse(response: httpx.Response) -> Any:
        body = envelope(response, connector=connector)
        code = str(body.get("code"))
        if code == AUTH_OK:
            return body.get("data")
        endpoint = str(response.request.url)
        if ERROR_TABLE.get(code) in (Action.RETRY, Action.RATE_LIMITED):
            raise TransientError(
                f"auth service busy: {_message(body)}",
                connector=connector,
                endpoint=endpoint,
                vendor_code=code,
            )
        raise AuthError(
            f"refused: {_message(body)}", connector=connector, endpoint=endpoint, vendor_code=code
        )

    return parse


def is_rejected_token(response: httpx.Response) -> bool:
    """Whether a business answer says the token was missing, invalid or expired."""
    if response.status_code != 200:
        return False
    body = _try_json(response)
    if body is None:
        return response.text.strip() == "非法token"
    return isinstance(body, dict) and str(body.get("code")) in REJECTED_TOKEN_CODES
