"""The connector SDK: the contract every connector implements and the mechanics it reuses.

Import from here, not from the private-looking modules, so the public surface
stays pinned (``tests/unit/connectors/sdk/test_public_api.py``).
"""

from connectors.sdk.auth import RefreshingAuth
from connectors.sdk.connector import Connector, ConnectorConfig, describe_validation_error
from connectors.sdk.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    MalformedResponse,
    RateLimited,
    RecordError,
    TimedOut,
    TransientError,
    VendorError,
)
from connectors.sdk.http import (
    HttpClient,
    HttpOptions,
    RequestStats,
    decode_json,
    parse_json,
    raise_for_status,
    retry_after_seconds,
)
from connectors.sdk.incremental import Incremental, record_digest
from connectors.sdk.masking import (
    MaskingFormatter,
    install_log_masking,
    mask_headers,
    mask_text,
    mask_url,
    register_secret,
)
from connectors.sdk.ratelimit import RateLimiter
from connectors.sdk.retry import RetryPolicy
from connectors.sdk.streams import (
    OUTCOME_UNKNOWN,
    Capability,
    CheckResult,
    FieldInfo,
    Page,
    Record,
    Stream,
    WriteRequest,
    WriteResult,
)

__all__ = [
    "OUTCOME_UNKNOWN",
    "AuthError",
    "Capability",
    "CheckResult",
    "ConfigError",
    "Connector",
    "ConnectorConfig",
    "ConnectorError",
    "FieldInfo",
    "HttpClient",
    "HttpOptions",
    "Incremental",
    "MalformedResponse",
    "MaskingFormatter",
    "Page",
    "RateLimited",
    "RateLimiter",
    "Record",
    "RecordError",
    "RefreshingAuth",
    "RequestStats",
    "RetryPolicy",
    "Stream",
    "TimedOut",
    "TransientError",
    "VendorError",
    "WriteRequest",
    "WriteResult",
    "decode_json",
    "describe_validation_error",
    "install_log_masking",
    "mask_headers",
    "mask_text",
    "mask_url",
    "parse_json",
    "raise_for_status",
    "record_digest",
    "register_secret",
    "retry_after_seconds",
]
