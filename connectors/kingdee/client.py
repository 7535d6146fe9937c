"""Calling the WebAPI and reading what it means: envelopes, errors, the MsgCode table.

K/3 Cloud answers business failures with HTTP 200: the body decides. A body may
be the ``Result.ResponseStatus`` envelope, a bare row array (queries), an error
wrapped in ``[[...]]`` (queries), or plain text ``response_error: ...`` (an
unhandled server exception). The parse functions here turn each into a value or
the SDK error that says what to do next; the MsgCode table is data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import httpx

from connectors.kingdee.protocol import (
    FORM_SERVICE,
    RESPONSE_ERROR_PREFIX,
    WRONG_ACCT_MESSAGE,
    MsgCode,
    service_path,
)
from connectors.sdk import (
    AuthError,
    HttpClient,
    MalformedResponse,
    RateLimited,
    VendorError,
    raise_for_status,
)

Action = Literal["auth", "rate_limited", "fail"]

MSG_CODE_ACTIONS: dict[int, Action] = {
    MsgCode.SESSION_LOST: "auth",
    MsgCode.NO_PERMISSION: "auth",
    MsgCode.LICENCE: "auth",
    MsgCode.ADMIN_FORBIDDEN: "auth",
    MsgCode.CALL_LIMIT: "rate_limited",
}
"""What a whole-call failure means, by MsgCode; anything else is a ``VendorError``.

Per-record failures of writes (validation, state) are not in this table: they are
read from ``Errors[].DIndex`` and reported per record.
"""

CALL_CODES = frozenset(
    {
        MsgCode.SESSION_LOST,
        MsgCode.NO_PERMISSION,
        MsgCode.OPERATION_EMPTY,
        MsgCode.EXCEPTION,
        MsgCode.FORM_ID_EMPTY,
        MsgCode.DB_FAILED,
        MsgCode.LICENCE,
        MsgCode.PARAMETER,
        MsgCode.CALL_LIMIT,
        MsgCode.ADMIN_FORBIDDEN,
    }
)
"""MsgCodes that fail a write-like call as a whole when nothing succeeded; the others
(field not found, data not found, validation, not operable...) are per record."""

CALL_LIMIT_BACKOFF = 10.0
"""Seconds to wait after MsgCode 14: the server gives no Retry-After."""


@dataclass(slots=True)
class OperationResult:
    """A write-like call's ``ResponseStatus``, read: successes and errors by DIndex."""

    success: bool
    msg_code: int
    successes: dict[int, tuple[int | None, str | None]] = field(default_factory=dict)
    errors: dict[int, list[tuple[str, str | None]]] = field(default_factory=dict)
    loose_errors: list[str] = field(default_factory=list)
    """Errors the server did not pin to a record (no usable DIndex)."""
    need_return: list[dict[str, Any]] = field(default_factory=list)

    def error_text(self, index: int) -> str:
        """All of one record's messages, joined."""
        return "; ".join(m for m, _ in self.errors.get(index, [])) or "; ".join(self.loose_errors)


def response_error_text(response: httpx.Response) -> str | None:
    """The message of a plain-text ``response_error:`` body, else ``None``."""
    head = response.content[:64].lstrip()
    if not head.startswith(RESPONSE_ERROR_PREFIX.encode()):
        return None
    text = response.content.decode("utf-8", errors="replace").strip()
    return text[len(RESPONSE_ERROR_PREFIX) :].strip() or "empty exception message"


def extract_status(body: Any) -> Mapping[str, Any] | None:
    """The ``ResponseStatus`` of any envelope shape: ``{Result: {..}}``, top-level, ``[[..]]``."""
    if isinstance(body, list) and body and isinstance(body[0], list) and body[0]:
        body = body[0][0]
    if not isinstance(body, Mapping):
        return None
    result = body.get("Result")
    holder = result if isinstance(result, Mapping) else body
    status = holder.get("ResponseStatus")
    return status if isinstance(status, Mapping) else None


def _messages(status: Mapping[str, Any]) -> str:
    errors = status.get("Errors") or []
    texts = [str(e.get("Message")) for e in errors if isinstance(e, Mapping) and e.get("Message")]
    return "; ".join(texts) or "the server reported a failure without a message"


def _decode(response: httpx.Response, connector: str | None) -> Any:
    endpoint, status = str(response.request.url), response.status_code
    text = response_error_text(response)
    if text is not None:
        raise MalformedResponse(
            f"server exception (response_error): {text}",
            connector=connector,
            endpoint=endpoint,
            status=status,
        )
    if response.status_code not in (200, 206):
        body = response.text[:200]
        if WRONG_ACCT_MESSAGE in body:
            raise AuthError(
                f"the server refused the data centre or passport: {body.strip()} (check acct_id)",
                connector=connector,
                endpoint=endpoint,
                status=status,
            )
        raise_for_status(response, connector=connector)
        raise VendorError(
            f"unexpected HTTP {response.status_code}: {body}",
            connector=connector,
            endpoint=endpoint,
            status=status,
        )
    try:
        return json.loads(response.content, parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        snippet = response.content[:120].decode("utf-8", errors="replace")
        raise MalformedResponse(
            f"response is not JSON ({exc}): {snippet}",
            connector=connector,
            endpoint=endpoint,
            status=status,
        ) from exc


def raise_for_call_failure(
    status: Mapping[str, Any], response: httpx.Response, connector: str | None
) -> None:
    """Raise the error a whole-call failure means (MsgCode table); ``VendorError`` by default."""
    code = status.get("MsgCode")
    message = _messages(status)
    endpoint, http_status, vendor_code = (
        str(response.request.url),
        response.status_code,
        f"MsgCode {code}",
    )
    action = MSG_CODE_ACTIONS.get(code if isinstance(code, int) else -1, "fail")
    if action == "rate_limited":
        raise RateLimited(
            f"call limit reached: {message}",
            retry_after=CALL_LIMIT_BACKOFF,
            connector=connector,
            endpoint=endpoint,
            status=http_status,
            vendor_code=vendor_code,
        )
    if action == "auth":
        raise AuthError(
            f"not authorised: {message}",
            connector=connector,
            endpoint=endpoint,
            status=http_status,
            vendor_code=vendor_code,
        )
    raise VendorError(
        f"the server refused the call: {message}",
        connector=connector,
        endpoint=endpoint,
        status=http_status,
        vendor_code=vendor_code,
    )


def parse_query(response: httpx.Response, connector: str | None = None) -> list[list[Any]]:
    """ExecuteBillQuery: the bare row array, or the error inside ``[[...]]`` raised."""
    body = _decode(response, connector)
    status = extract_status(body)
    if status is not None:
        raise_for_call_failure(status, response, connector)
    if not isinstance(body, list) or any(not isinstance(row, list) for row in body):
        raise MalformedResponse(
            f"query reply is not an array of rows: {str(body)[:120]}",
            connector=connector,
            endpoint=str(response.request.url),
        )
    return body


def parse_operation(response: httpx.Response, connector: str | None = None) -> OperationResult:
    """Save/BatchSave/Submit/Audit/UnAudit/Delete: per-record outcomes by DIndex.

    A failure that names no record (session, call limit, unknown form) raises;
    per-record errors do not, so one bad record never fails its batch.
    """
    body = _decode(response, connector)
    status = extract_status(body)
    if status is None:
        raise MalformedResponse(
            "reply has no ResponseStatus",
            connector=connector,
            endpoint=str(response.request.url),
        )
    code = status.get("MsgCode")
    successes = status.get("SuccessEntitys") or []
    errors = status.get("Errors") or []
    if not status.get("IsSuccess") and not successes and (code in CALL_CODES or not errors):
        raise_for_call_failure(status, response, connector)
    result = OperationResult(success=bool(status.get("IsSuccess")), msg_code=int(code or 0))
    for item in successes:
        if isinstance(item, Mapping) and isinstance(item.get("DIndex"), int):
            number = item.get("Number")
            result.successes[item["DIndex"]] = (
                _int_or_none(item.get("Id")),
                None if number in (None, "") else str(number),
            )
    for item in errors:
        if not isinstance(item, Mapping):
            continue
        message = str(item.get("Message") or "")
        field_name = item.get("FieldName")
        if isinstance(item.get("DIndex"), int):
            result.errors.setdefault(item["DIndex"], []).append((message, field_name))
        else:
            result.loose_errors.append(message)
    result_block = body.get("Result") if isinstance(body, Mapping) else None
    if isinstance(result_block, Mapping) and isinstance(result_block.get("NeedReturnData"), list):
        result.need_return = [d for d in result_block["NeedReturnData"] if isinstance(d, dict)]
    return result


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class KingdeeClient:
    """The WebAPI's business services over one ``HttpClient``; ``base_url`` ends with '/'."""

    def __init__(
        self, http: HttpClient, base_url: str, *, writes: HttpClient | None = None
    ) -> None:
        self.http = http
        self.writes = writes or http
        self.base_url = base_url
        self.connector = http.connector

    def url(self, method: str) -> str:
        """The full URL of ``DynamicFormService.<method>``."""
        return self.base_url + service_path(FORM_SERVICE + method)

    async def query(self, data: Mapping[str, Any]) -> list[list[Any]]:
        """ExecuteBillQuery with the SDK body style ``{"data": {...}}``."""
        return await self.http.request(
            "POST",
            self.url("ExecuteBillQuery"),
            json={"data": dict(data)},
            parse=lambda r: parse_query(r, self.connector),
        )

    async def operation(
        self, method: str, form_id: str, data: Mapping[str, Any], *, retry: bool = True
    ) -> OperationResult:
        """A form operation (``{"formid", "data"}``); ``retry=False`` sends it once only.

        Saves that create records go out once: a timeout after the server saved
        would make a retried create a duplicate, so the caller reconciles instead.
        """
        client = self.http if retry else self.writes
        return await client.request(
            "POST",
            self.url(method),
            content=_json_bytes({"formid": form_id, "data": dict(data)}),
            headers={"Content-Type": "application/json"},
            parse=lambda r: parse_operation(r, self.connector),
        )

    async def business_info(self, form_id: str) -> Any:
        """QueryBusinessInfo: the form's metadata, decoded (shape not verified)."""

        def parse(response: httpx.Response) -> Any:
            body = _decode(response, self.connector)
            status = extract_status(body)
            if status is not None and status.get("IsSuccess") is False:
                raise_for_call_failure(status, response, self.connector)
            return body

        return await self.http.request(
            "POST", self.url("QueryBusinessInfo"), json={"data": {"FormId": form_id}}, parse=parse
        )


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, default=_json_default).encode("utf-8")


def _json_default(value: Any) -> Any:
    """Money goes out exact: a ``Decimal`` becomes a numeric string, which the server accepts."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__} to Kingdee")
