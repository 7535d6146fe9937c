"""What a ZenTao answer means, as data: status -> SDK error, and the error body -> text.

ZenTao v1 reports failures as HTTP 4xx with ``{"error": <message>}`` where the
message is a string, an object of field -> [messages] (form validation), or
``{"message": ...}`` (product plans). Some failures arrive as 200 with the old
data (task edits); those are caught by re-reading, not here.
"""

from __future__ import annotations

from typing import Any

from connectors.sdk import (
    AuthError,
    ConnectorError,
    RateLimited,
    RecordError,
    TransientError,
    VendorError,
)

STATUS_ERRORS: dict[int, type[ConnectorError]] = {
    400: RecordError,
    401: AuthError,
    403: VendorError,
    404: RecordError,
    408: TransientError,
    429: RateLimited,
    500: TransientError,
    502: TransientError,
    503: TransientError,
    504: TransientError,
}
"""Status -> error class; a status not listed is a ``VendorError`` (4xx) or transient (5xx)."""


def error_class(status: int) -> type[ConnectorError]:
    """The SDK error for an HTTP status ZenTao (or its proxy) answered with."""
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    return TransientError if status >= 500 else VendorError


def error_text(error: Any) -> str:
    """One readable line from any shape of ZenTao error message, kept verbatim."""
    if error is None:
        return ""
    if isinstance(error, str):
        return error.strip()
    if isinstance(error, dict):
        if set(error) == {"message"}:
            return error_text(error["message"])
        parts = []
        for key, value in error.items():
            text = error_text(value)
            parts.append(f"{key}: {text}" if text else str(key))
        return "; ".join(parts)
    if isinstance(error, list | tuple):
        return " ".join(error_text(item) for item in error if error_text(item))
    return str(error)


def error_field(error: Any) -> str | None:
    """The first field a per-field validation error names, if any."""
    if isinstance(error, dict):
        if set(error) == {"message"}:
            return error_field(error["message"])
        for key in error:
            return str(key)
    return None
