"""Checking change notifications against a shared secret, the two ways vendors send it.

- A signature header, ``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>``
  (Jira admin webhooks, GitHub-style senders). Checked on the raw bytes, before
  any JSON parsing, in constant time.
- A token inside the JSON body (Zoho CRM notification channels send back the
  ``token`` given when the channel was created). Compared in constant time.

Neither function raises: anything malformed is simply not authentic.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping

SIGNATURE_HEADER = "x-hub-signature"


def hmac_signature(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature`` value for ``body`` (for tests and tools)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_shared_secret(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """Whether ``headers``/``body`` prove knowledge of ``secret`` (see module docstring)."""
    if not secret:
        return False
    lowered = {k.lower(): v for k, v in headers.items()}
    signature = lowered.get(SIGNATURE_HEADER)
    if signature is not None:
        method, _, digest = signature.strip().partition("=")
        if method.lower() != "sha256" or not digest:
            return False
        expected = hmac_signature(secret, body).partition("=")[2]
        return hmac.compare_digest(expected, digest.strip().lower())
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return False
    token = payload.get("token") if isinstance(payload, dict) else None
    if not isinstance(token, str) or not token:
        return False
    return hmac.compare_digest(token.encode(), secret.encode())
