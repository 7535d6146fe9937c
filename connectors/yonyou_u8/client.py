"""What a U8 OpenAPI answer means: flat ``errcode``/``errmsg`` envelopes, strings for numbers.

``errcode`` "0" is success; "20002" on a query means "nothing matched" (an empty
page, not a failure); token codes trigger one refresh; everything else refuses
the record (on an add) or the call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from connectors.sdk import AuthError, MalformedResponse, RecordError, VendorError, raise_for_status
from connectors.yonyou_u8.wire import loads

OK = "0"


def envelope(response: httpx.Response, *, connector: str) -> dict[str, Any]:
    """The JSON object of an answer, after the HTTP status table."""
    raise_for_status(response, connector=connector)
    try:
        body = loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise MalformedResponse(
            f"response is not JSON: {response.text[:120]!r}",
            connector=connector,
            endpoint=str(response.request.url),
            status=response.status_code,
        ) from None
    if not isinstance(body, dict) or "errcode" not in body:
        raise MalformedResponse(
            "response has no errcode", connector=connector, endpoint=str(response.request.url)
        )
    return body


def parser(
    *,
    connector: str,
    token_codes: frozenset[str],
    empty_code: str | None = None,
    record_level: bool = False,
) -> Callable[[httpx.Response], dict[str, Any]]:
    """A ``parse`` returning the whole envelope of an ``errcode`` "0" answer.

    ``empty_code`` answers become ``{"errcode": "0"}`` with no rows.
    """

    def parse(response: httpx.Response) -> dict[str, Any]:
        body = envelope(response, connector=connector)
        code = str(body.get("errcode"))
        if code == OK:
            return body
        if empty_code is not None and code == empty_code:
            return {"errcode": OK, "page_count": "0", "row_count": "0"}
        message = str(body.get("errmsg") or f"U8 answered errcode {code}")
        common: dict[str, Any] = {
            "connector": connector,
            "endpoint": str(response.request.url),
            "vendor_code": code,
        }
        if code in token_codes:
            raise AuthError(f"token rejected: {message}", **common)
        if record_level:
            raise RecordError(message, **common)
        raise VendorError(message, **common)

    return parse


def is_rejected_token(response: httpx.Response, token_codes: frozenset[str]) -> bool:
    """Whether an answer says the token is invalid or expired."""
    try:
        body = loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return isinstance(body, dict) and str(body.get("errcode")) in token_codes


def count(value: Any) -> int:
    """A paging number the vendor sends as a string (``"3"``); absent is 0."""
    try:
        return int(str(value)) if value not in (None, "") else 0
    except ValueError:
        raise MalformedResponse(f"not a number: {value!r}") from None
