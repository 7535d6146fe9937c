"""Keep secrets out of logs, error messages and pages.

Two nets, because either alone leaks: every ``SecretStr`` a connector is configured
with is registered and replaced wherever it appears verbatim, and anything that
*looks* like a credential (an ``Authorization`` header, a ``token=`` query
parameter, a ``"password": "..."`` pair) is masked by pattern even if nobody
registered it. ``install_log_masking()`` applies both to every log record the
process creates, whichever handler later writes it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel, SecretStr
from typing_extensions import override

MASK = "***"

SENSITIVE_NAMES = (
    "authorization",
    "token",
    "access_token",
    "refresh_token",
    "secret",
    "client_secret",
    "app_secret",
    "password",
    "passwd",
    "api_key",
    "apikey",
    "signature",
    "sign",
    "cookie",
    "session",
    "sessionid",
    "kdservice-sessionid",
    "x-api-signature",
    "x-kd-signature",
    "pat",
)

_NAME_RE = "|".join(re.escape(n) for n in sorted(SENSITIVE_NAMES, key=len, reverse=True))
_PATTERNS = (
    # Authorization: Bearer xyz / Zoho-oauthtoken xyz / Basic xyz
    re.compile(r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?)([\w-]+\s+)?[^\s\"',;}]+"),
    re.compile(r"(?i)\b(zoho-oauthtoken|bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{6,}"),
    # key=value in query strings and form bodies; "key": "value" in JSON
    re.compile(rf"(?i)((?:[?&;\s,{{]|^)(?:[\w-]*_)?(?:{_NAME_RE})=)([^&\s\"',;]+)"),
    re.compile(rf"(?i)([\"'][\w-]*(?:{_NAME_RE})[\"']\s*:\s*[\"'])([^\"']+)"),
    # user:password@ in a URL written out in text (a config error echoing the value given)
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^\s/@\"']+(?=@)"),
)


class _SecretRegistry:
    """Process-wide set of secret values to scrub; thread-safe, append-only."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        self._regex: re.Pattern[str] | None = None

    def add(self, value: str) -> None:
        if len(value) < 4:  # too short to mask without destroying ordinary text
            return
        with self._lock:
            if value not in self._values:
                self._values.add(value)
                self._regex = None

    def scrub(self, text: str) -> str:
        regex = self._regex
        if regex is None:
            with self._lock:
                if not self._values:
                    return text
                ordered = sorted(self._values, key=len, reverse=True)
                regex = self._regex = re.compile("|".join(re.escape(v) for v in ordered))
        return regex.sub(MASK, text)


_registry = _SecretRegistry()


def register_secret(value: str | SecretStr | None) -> None:
    """Remember a secret so that it is masked wherever it later appears."""
    if value is None:
        return
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    if raw:
        _registry.add(raw)


def register_model_secrets(model: BaseModel) -> None:
    """Register every ``SecretStr`` inside a (possibly nested) pydantic model."""
    for item in _walk_values(model):
        if isinstance(item, SecretStr):
            register_secret(item)


def _walk_values(value: Any) -> Iterable[Any]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk_values(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk_values(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _walk_values(item)
    else:
        yield value


def mask_text(text: str) -> str:
    """Mask registered secrets and anything shaped like a credential."""
    text = _registry.scrub(text)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


def mask_url(url: str) -> str:
    """Return the URL with credential-like query parameters and userinfo masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return mask_text(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if "@" in parts.netloc:
        netloc = f"{MASK}@{netloc}"
    query = urlencode(
        [(k, MASK if _is_sensitive(k) else v) for k, v in parse_qsl(parts.query, True)],
        safe="*",
    )
    return mask_text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


def mask_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers as a dict fit for a log line: credential headers masked."""
    return {k: MASK if _is_sensitive(k) else mask_text(v) for k, v in headers}


def _is_sensitive(name: str) -> bool:
    lowered = name.lower()
    return any(lowered == n or lowered.endswith(("_" + n, "-" + n)) for n in SENSITIVE_NAMES)


class MaskingFormatter(logging.Formatter):
    """A formatter whose whole output, tracebacks included, passes through ``mask_text``."""

    @override
    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


_installed = False


def install_log_masking() -> None:
    """Mask every log record at creation, whichever logger or handler handles it.

    The record factory formats the message once, masks it and drops the arguments,
    so a handler installed later (pytest's caplog, a JSON shipper) sees only masked
    text. Tracebacks are formatted later by handlers; use ``MaskingFormatter`` there.
    """
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg = mask_text(message)
        record.args = None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
