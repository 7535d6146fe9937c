"""One body row for header-only documents, and merging rows into an update.

YonBIP documents need at least one child row whose amounts mirror the header
(``payMoney`` must equal the sum of the order lines). The hub models invoices,
contracts and payments at header level, so when a mapping sends no rows the
connector builds the one row the vendor wants from the header: a wire
constraint, not business logic. Updates reuse the existing rows' ids by
position, so resending a document does not add rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class LineRule:
    """How to derive the single row: fields copied from the header, moved off it, fixed."""

    key: str
    copy: tuple[tuple[str, str], ...] = ()
    move: tuple[str, ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)


NATIONAL = (("natSum", "oriSum"), ("natMoney", "oriMoney"), ("natTax", "oriTax"))


def domestic_amounts(data: dict[str, Any]) -> None:
    """In CNY at rate 1 the national amounts equal the original ones; fill those missing."""
    if data.get("currency") not in (None, "CNY") or data.get("exchRate") not in (None, 1):
        return
    for national, original in NATIONAL:
        if national not in data and data.get(original) is not None:
            data[national] = data[original]


def default_line(rule: LineRule, data: dict[str, Any]) -> None:
    """Give ``data`` its single row when it has none (in place)."""
    if data.get(rule.key):
        return
    line = dict(rule.fixed)
    for line_field, header_field in rule.copy:
        if data.get(header_field) is not None:
            line[line_field] = data[header_field]
    for name in rule.move:
        if name in data:
            line[name] = data.pop(name)
    data[rule.key] = [line]


def reuse_line_ids(data: dict[str, Any], current: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Rows of an update take the ids of the stored rows at the same position."""
    for key in keys:
        rows, stored = data.get(key), current.get(key)
        if not isinstance(rows, list) or not isinstance(stored, list):
            continue
        for row, old in zip(rows, stored, strict=False):
            if (
                isinstance(row, dict)
                and isinstance(old, dict)
                and old.get("id")
                and not row.get("id")
            ):
                row["id"] = old["id"]
