"""The v8 "third-party login" request signature (signed headers on every call).

The official SDK signs each request with two HMACs instead of logging in: one over
the URL path and a timestamp with a client secret derived from the app id, one
over the app id and "acct,user,lcid,org" with the app secret. This module is the
algorithm alone, as pure functions, so the connector can sign, the sandbox can
verify, and a unit test can pin both to the published test vector.

What may go wrong: an ``app_id`` whose part after ``_`` is not 32 characters
yields an empty client secret (the SDK does the same), and the server then
answers "session lost" rather than a clear refusal.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

DEFAULT_XOR_CODE = "0054f397c6234378b09ca7d3e5debce7"
"""The key the SDK derives from its built-in code (ROT13, random filler dropped)."""

SIGNED_HEADERS = "x-api-timestamp,x-api-nonce"


@dataclass(frozen=True, slots=True)
class SigningIdentity:
    """Who signs: the data centre, the integration user and the registered app."""

    acct_id: str
    user_name: str
    app_id: str
    app_secret: str
    lcid: int = 2052
    org_num: int = 0
    sec_code: str | None = None
    """A deployment's own 32-character ``x-kdapi-secpwd``; ``None`` uses the SDK's."""

    @property
    def app_data(self) -> str:
        """The clear text that ``X-Kd-Appdata`` carries base64-encoded."""
        return f"{self.acct_id},{self.user_name},{self.lcid},{self.org_num}"


def xor_key(sec_code: str | None) -> bytes:
    """The XOR key: the default, or ROT13 of a deployment's configured code."""
    if sec_code is None:
        return DEFAULT_XOR_CODE.encode("ascii")
    return codecs.encode(sec_code, "rot13").encode("ascii")


def client_secret(app_id: str, sec_code: str | None = None) -> str:
    """Decode the secret embedded in ``app_id`` (``<client>_<32 chars>``); '' if malformed."""
    parts = app_id.split("_")
    if len(parts) != 2 or len(parts[1]) != 32:
        return ""
    try:
        raw = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return ""
    key = xor_key(sec_code)
    return base64.b64encode(bytes(b ^ key[i] for i, b in enumerate(raw))).decode("ascii")


def client_id(app_id: str) -> str:
    """The client id part of ``app_id`` ('' when the app id is malformed)."""
    parts = app_id.split("_")
    return parts[0] if len(parts) == 2 else ""


def sign(message: str, key: str) -> str:
    """base64 of the lowercase *hex text* of HMAC-SHA256 (not of the raw digest)."""
    digest = hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()
    return base64.b64encode(digest.encode("ascii")).decode("ascii")


def signing_path(url: str) -> str:
    """The URL path (virtual directory included), percent-encoded with ``/`` as ``%2F``."""
    path = urlsplit(url).path or "/"
    return quote(path, safe="")


def string_to_sign(path: str, nonce: str, timestamp: str) -> str:
    """What ``X-Api-Signature`` signs; ``path`` already encoded by ``signing_path``."""
    return f"POST\n{path}\n\nx-api-nonce:{nonce}\nx-api-timestamp:{timestamp}\n"


def signed_headers(identity: SigningIdentity, url: str, *, timestamp: int) -> dict[str, str]:
    """Every header of a signed call; the SDK uses the timestamp as the nonce too."""
    ts = str(timestamp)
    secret = client_secret(identity.app_id, identity.sec_code)
    app_data = identity.app_data
    return {
        "X-Api-ClientID": client_id(identity.app_id),
        "X-Api-Auth-Version": "2.0",
        "x-api-timestamp": ts,
        "x-api-nonce": ts,
        "x-api-signheaders": SIGNED_HEADERS,
        "X-Api-Signature": sign(string_to_sign(signing_path(url), ts, ts), secret),
        "X-Kd-Appkey": identity.app_id,
        "X-Kd-Appdata": base64.b64encode(app_data.encode("utf-8")).decode("ascii"),
        "X-Kd-Signature": sign(identity.app_id + app_data, identity.app_secret),
    }
