"""Connector errors, grouped by what the caller should do next.

::

    ConnectorError                 base; carries connector, stream, endpoint context
    ├── ConfigError                fatal: the configuration is wrong, a person must fix it
    ├── AuthError                  fatal after one refresh: credentials rejected
    ├── TransientError             retry with backoff: 5xx, timeouts, resets
    │   ├── RateLimited            retry after ``retry_after`` seconds (429, vendor quota codes)
    │   ├── MalformedResponse      retry: truncated, non-JSON or unexpected body
    │   └── TimedOut               retry; but a create may still be in progress at the vendor
    ├── VendorError                fatal for the call: the vendor refused the request as a whole
    └── RecordError                skip the record: it goes to the dead-letter queue

Every message keeps the vendor's own words verbatim and never contains a secret:
the endpoint is stored with query-string secrets removed (see ``masking``).
"""

from __future__ import annotations

from typing import Any

from connectors.sdk.masking import mask_text, mask_url


class ConnectorError(Exception):
    """Base of every error a connector raises; its context names where it happened."""

    def __init__(
        self,
        message: str,
        *,
        connector: str | None = None,
        stream: str | None = None,
        endpoint: str | None = None,
        vendor_code: str | None = None,
        status: int | None = None,
    ) -> None:
        self.message = mask_text(message)
        self.connector = connector
        self.stream = stream
        self.endpoint = mask_url(endpoint) if endpoint else None
        self.vendor_code = vendor_code
        self.status = status
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = [
            part
            for part in (
                self.connector and f"connector={self.connector}",
                self.stream and f"stream={self.stream}",
                self.endpoint and f"endpoint={self.endpoint}",
                self.status is not None and f"http={self.status}",
                self.vendor_code and f"code={self.vendor_code}",
            )
            if part
        ]
        return f"{self.message} [{', '.join(where)}]" if where else self.message

    def context(self) -> dict[str, Any]:
        """Structured context for run records and logs."""
        return {
            "error": type(self).__name__,
            "message": self.message,
            "connector": self.connector,
            "stream": self.stream,
            "endpoint": self.endpoint,
            "vendor_code": self.vendor_code,
            "status": self.status,
        }


class ConfigError(ConnectorError):
    """The configuration cannot work (bad URL, missing field, unknown data centre)."""


class AuthError(ConnectorError):
    """Credentials were rejected, even after one refresh; a person must act."""


class TransientError(ConnectorError):
    """A failure that may succeed when retried (5xx, timeout, connection reset)."""


class RateLimited(TransientError):
    """The vendor asked us to slow down; ``retry_after`` is its hint in seconds, if any."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)


class MalformedResponse(TransientError):
    """The body could not be understood (truncated, not JSON, unexpected shape)."""


class TimedOut(TransientError):
    """No answer in time: the vendor may still be carrying the request out.

    For a create the vendor does not dedupe, this is the one failure after which
    neither re-sending nor giving up is safe; report the record with
    ``OUTCOME_UNKNOWN`` and let the hub look it up later.
    """


class VendorError(ConnectorError):
    """The vendor refused the request as a whole for a reason retrying will not fix."""


class RecordError(ConnectorError):
    """One record was refused; the rest of its batch is unaffected."""

    def __init__(self, message: str, *, field: str | None = None, **kw: Any) -> None:
        self.field = field
        super().__init__(message, **kw)
