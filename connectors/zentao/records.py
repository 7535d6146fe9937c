"""Turn ZenTao's loosely typed records into predictable dicts.

ZenTao mixes types freely: ids and priorities as ``12`` or ``"12"``, ``deleted``
as ``false`` or ``"0"``, users as ``"lisi"`` or ``{"account": "lisi", ...}``,
times as UTC ``...Z`` on formatted fields and server-local ``"2025-06-01
16:30:00"`` (or ``0000-00-00 00:00:00``) elsewhere. Normalising once here
keeps every other module simple; values not listed are passed on as sent.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

INT_FIELDS = frozenset(
    {
        "id",
        "project",
        "product",
        "execution",
        "parent",
        "story",
        "module",
        "branch",
        "program",
        "pri",
        "grade",
        "version",
        "dept",
    }
)
TIME_FIELDS = frozenset(
    {
        "openedDate",
        "lastEditedDate",
        "assignedDate",
        "closedDate",
        "canceledDate",
        "realStarted",
        "finishedDate",
        "reviewedDate",
        "createdDate",
        "activatedDate",
    }
)
DATE_FIELDS = frozenset({"begin", "end", "deadline", "estStarted", "realBegan", "realEnd"})
USER_FIELDS = frozenset(
    {
        "openedBy",
        "assignedTo",
        "lastEditedBy",
        "closedBy",
        "canceledBy",
        "finishedBy",
        "reviewedBy",
        "createdBy",
        "PM",
        "PO",
        "QD",
        "RD",
    }
)
USER_LIST_FIELDS = frozenset({"mailto", "whitelist"})

_ZERO = re.compile(r"^0000-00-00")
_MARKER = re.compile(r"\[synchub:([A-Za-z0-9._:-]{1,80})\]")


def parse_time(value: Any, zone: ZoneInfo) -> datetime | None:
    """A ZenTao timestamp as an aware datetime; zero dates and blanks are ``None``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    text = str(value).strip()
    if not text or _ZERO.match(text):
        return None
    text = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def parse_date(value: Any) -> str | None:
    """A date-only field as ``YYYY-MM-DD``; zero dates, blanks and ZenTao's 2030 'TBD' stay."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    text = str(value).strip()
    if not text or _ZERO.match(text):
        return None
    return text[:10]


def account_of(value: Any) -> str:
    """The account name of a user field, whichever shape ZenTao chose."""
    if isinstance(value, dict):
        return str(value.get("account") or "")
    if value is None:
        return ""
    return str(value)


def accounts_of(value: Any) -> list[str]:
    """A user list (comma string, list of accounts, or list of user objects) as accounts."""
    if value is None or value == "":
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        return []
    return [a for a in (account_of(item).strip() for item in items) if a]


def to_int(value: Any) -> Any:
    """``"12"`` -> 12; anything not an integer is passed on unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return value


def to_bool(value: Any) -> bool:
    """``"0"``/``"1"``/``false``/``true`` as a bool."""
    if isinstance(value, str):
        return value.strip() not in ("", "0", "false")
    return bool(value)


def normalise(record: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """One record with coerced ids, aware ISO times, plain dates, accounts and a bool ``deleted``."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key in TIME_FIELDS:
            parsed = parse_time(value, zone)
            out[key] = parsed.isoformat() if parsed else None
        elif key in DATE_FIELDS:
            out[key] = parse_date(value)
        elif key in USER_FIELDS:
            out[key] = account_of(value)
        elif key in USER_LIST_FIELDS:
            out[key] = accounts_of(value)
        elif key in INT_FIELDS:
            out[key] = to_int(value)
        elif key == "deleted":
            out[key] = to_bool(value)
        else:
            out[key] = value
    return out


def modified_at(record: dict[str, Any], zone: ZoneInfo) -> datetime | None:
    """When the record last changed: ``max(openedDate, lastEditedDate)`` (edits may be null)."""
    times = [
        t
        for t in (parse_time(record.get(f), zone) for f in ("lastEditedDate", "openedDate"))
        if t is not None
    ]
    if not times:
        created = parse_time(record.get("createdDate"), zone)
        return created
    return max(times)


def edited_at(record: dict[str, Any], zone: ZoneInfo) -> datetime | None:
    """``lastEditedDate`` alone (null for never-edited stories and tasks)."""
    return parse_time(record.get("lastEditedDate"), zone)


def marker(key: str) -> str:
    """The text stored in a record's description so ``lookup`` finds it by the hub's key."""
    return f"[synchub:{key}]"


def marker_html(key: str) -> str:
    """The marker as its own paragraph (ZenTao descriptions are rich-text HTML)."""
    return f"<p>{marker(key)}</p>"


def find_marker(text: Any) -> str | None:
    """The hub key carried in a description, if any."""
    if not isinstance(text, str):
        return None
    found = _MARKER.search(text)
    return found.group(1) if found else None


def with_marker(text: Any, key: str) -> str:
    """``text`` with exactly one marker for ``key`` (an older marker is replaced)."""
    body = text if isinstance(text, str) else ""
    body = re.sub(r"<p>\s*\[synchub:[^\]]*\]\s*</p>", "", body)
    body = _MARKER.sub("", body)
    return f"{body}{marker_html(key)}"


def utc_now() -> datetime:
    """Now, aware UTC (a seam for tests)."""
    return datetime.now(UTC)
