"""U8 OpenAPI wire formats: JSON with exact money, dates without zones (China time).

Kept separate from the YonBIP package on purpose: the two products share
nothing on the wire, and connectors share only the SDK.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def loads(raw: bytes | str) -> Any:
    """Parse JSON keeping non-integer numbers as exact ``Decimal``."""
    return json.loads(raw, parse_float=Decimal)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, datetime):
        return format_stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(payload: Any) -> bytes:
    """Compact UTF-8 JSON with exact Decimals."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_default).encode()


def parse_stamp(text: str) -> datetime:
    """``yyyy-MM-dd HH:mm:ss`` (or a bare date) in China time, as an aware datetime."""
    text = text.strip()
    if len(text) == 10:
        text += " 00:00:00"
    return datetime.strptime(text[:19] + " +0800", STAMP_FORMAT + " %z").astimezone(CHINA)


def format_stamp(moment: datetime) -> str:
    """An aware datetime in China time, second resolution."""
    if moment.tzinfo is None:
        raise ValueError("format_stamp needs an aware datetime")
    return moment.astimezone(CHINA).strftime(STAMP_FORMAT)
