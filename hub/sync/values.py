"""Canonical values in their stored JSON form, and stable hashes of them.

Links remember, per field, the value a remote system is known to hold. Those
values must compare equal regardless of how they travelled (Decimal vs str,
date vs ISO text), so everything is reduced to one JSON form first.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import orjson

_PLAIN = frozenset({str, int, bool, type(None)})


def to_json_value(value: Any) -> Any:
    """The JSON form used for comparison and storage (Decimal -> canonical str)."""
    if type(value) in _PLAIN:  # most values: a set look-up, not an isinstance chain
        return value
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        normalised = value.normalize()
        return (
            format(normalised, "f")
            if normalised == normalised.to_integral_value()
            else str(normalised)
        )
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return to_json_value(Decimal(repr(value)))
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    return str(value)


def json_values(values: dict[str, Any]) -> dict[str, Any]:
    """Every value of ``values`` in JSON form."""
    return {key: to_json_value(value) for key, value in values.items()}


def stable_hash(values: dict[str, Any]) -> str:
    """SHA-256 of the JSON form with sorted keys: equal values, equal hash."""
    return json_hash(json_values(values))


def json_hash(json_form: dict[str, Any]) -> str:
    """``stable_hash`` of values already in JSON form (``json_values`` is idempotent)."""
    # orjson's sorted compact UTF-8 output is byte-for-byte json.dumps(sort_keys=True,
    # ensure_ascii=False, separators=(",", ":")) for JSON-form values, so stored hashes hold.
    return hashlib.sha256(orjson.dumps(json_form, option=orjson.OPT_SORT_KEYS)).hexdigest()
