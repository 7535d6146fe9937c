"""Building JQL: quoting, and date literals in the integration user's time zone.

JQL compares dates at minute resolution in the *searching user's profile* time
zone, so the literal for an instant is that instant shown in that zone, seconds
dropped (floored, never rounded up: ``23:59:30`` becomes ``23:59``, which
includes it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo


def quote(value: str) -> str:
    """A JQL string literal (double quotes, backslash escapes)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def date_literal(instant: datetime, zone: tzinfo) -> str:
    """``yyyy/MM/dd HH:mm`` of ``instant`` in ``zone``, floored to the minute."""
    if instant.tzinfo is None:
        raise ValueError("date_literal needs an aware datetime")
    return instant.astimezone(zone).strftime("%Y/%m/%d %H:%M")


def in_list(values: Iterable[str]) -> str:
    """``("a", "b")`` for an ``in`` clause."""
    return "(" + ", ".join(quote(v) for v in values) + ")"


def stream_query(project: str, issue_type: str, label: str, since: str | None = None) -> str:
    """One stream's issues oldest change first; ``since`` is a date literal."""
    clauses = [
        f"project = {quote(project)}",
        f"issuetype = {quote(issue_type)}",
        f"labels = {quote(label)}",
    ]
    if since is not None:
        clauses.append(f"updated >= {quote(since)}")
    return " AND ".join(clauses) + " ORDER BY updated ASC, key ASC"
