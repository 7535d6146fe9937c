"""The SDK's public surface is pinned: adding or removing a name is a deliberate change."""

from __future__ import annotations

from connectors import sdk

EXPECTED = {
    "OUTCOME_UNKNOWN",
    "TimedOut",
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
}


def test_all_is_pinned() -> None:
    assert set(sdk.__all__) == EXPECTED


def test_every_exported_name_exists() -> None:
    missing = [name for name in sdk.__all__ if not hasattr(sdk, name)]
    assert missing == []


def test_error_tree_groups_by_action() -> None:
    assert issubclass(sdk.RateLimited, sdk.TransientError)
    assert issubclass(sdk.MalformedResponse, sdk.TransientError)
    for fatal in (sdk.ConfigError, sdk.AuthError, sdk.VendorError, sdk.RecordError):
        assert issubclass(fatal, sdk.ConnectorError)
        assert not issubclass(fatal, sdk.TransientError)
