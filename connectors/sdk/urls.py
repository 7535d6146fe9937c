"""What every configured base URL must be before any connector's own rules apply.

Each connector checks its URLs for what its vendor needs (scheme, a host, no
credentials, no query string; a trailing slash or not). ``check_url_syntax``
is the part they share and had each missed: no whitespace or control
characters (a CR LF or a NUL passed every check and failed only at the first
request, inside the HTTP client; ZenTao's rebuilt URL even dropped the CR LF
and joined the rest onto the host name; a space in a host name was sent as
``%20``), a port that is a port, and a URL the parser can split at all. It runs
first in every connector's URL validator, so a bad URL is refused when it is
entered, naming the field.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def check_url_syntax(value: str) -> str:
    """``value`` unchanged, or ``ValueError`` saying why it is not a well-formed URL."""
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError("must not contain spaces or control characters")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"is not a well-formed URL ({exc})") from None
    if port == 0:
        raise ValueError("has port 0")
    if "@" in parts.netloc:
        raise ValueError("must not carry credentials (user:password@); use the credential fields")
    return value
