"""The self-built app signature: HMAC-SHA256 over ``appKey<key>timestamp<ms>``, Base64.

One function, used by the connector to sign and by the sandbox to verify, so the
two can never drift apart. The value is *not* URL-encoded here: httpx encodes
query values exactly once, and pre-encoding would double-encode (``%252B``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping


def signing_text(params: Mapping[str, str]) -> str:
    """Every parameter but ``signature``, sorted by name, as name+value with no separators."""
    return "".join(f"{name}{params[name]}" for name in sorted(params) if name != "signature")


def sign(params: Mapping[str, str], app_secret: str) -> str:
    """Standard Base64 of the raw HMAC-SHA256 digest of ``signing_text`` keyed by the secret."""
    digest = hmac.new(
        app_secret.encode("utf-8"), signing_text(params).encode("utf-8"), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def token_signature(app_key: str, app_secret: str, timestamp_ms: str) -> str:
    """The ``signature`` query value of a token request."""
    return sign({"appKey": app_key, "timestamp": timestamp_ms}, app_secret)
