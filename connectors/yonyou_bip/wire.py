"""Wire formats YonBIP shares across endpoints: JSON with exact money, China-time stamps.

Money must never pass through a float on the way in (``parse_float=Decimal``);
on the way out a Decimal is written as a JSON number only when the number
round-trips exactly, otherwise as a string the vendor also accepts.
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
    """Parse JSON keeping every non-integer number as an exact ``Decimal``."""
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
    """Compact UTF-8 JSON with Decimals as exact numbers and datetimes in China time."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_default).encode()


def parse_stamp(text: str) -> datetime:
    """``yyyy-MM-dd HH:mm:ss`` (China time, no zone on the wire) as an aware datetime."""
    return datetime.strptime(text.strip()[:19] + " +0800", STAMP_FORMAT + " %z").astimezone(CHINA)


def format_stamp(moment: datetime) -> str:
    """An aware datetime as the vendor writes it: China time, second resolution."""
    if moment.tzinfo is None:
        raise ValueError("format_stamp needs an aware datetime")
    return moment.astimezone(CHINA).strftime(STAMP_FORMAT)
