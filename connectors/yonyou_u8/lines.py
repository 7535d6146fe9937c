"""The single ``entry`` row of a header-only document.

U8 adds need at least one body row (``entry``) whose amounts make up the
header. The hub models documents at header level, so when a mapping sends no
rows the connector builds the one row U8 wants from the header: a wire
constraint, not business logic. Domestic-currency amounts equal the
original ones when the mapping sends only one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class LineRule:
    """Row fields copied from the header, moved off it, fixed; header amounts to mirror."""

    copy: tuple[tuple[str, str], ...] = ()
    move: tuple[str, ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)
    mirror: tuple[tuple[str, str], ...] = ()
    """(missing header field, header field it equals) in the domestic currency."""


def complete(rule: LineRule, data: dict[str, Any]) -> None:
    """Fill mirrored amounts and give ``data`` its single ``entry`` row when it has none."""
    for missing, source in rule.mirror:
        if data.get(missing) is None and data.get(source) is not None:
            data[missing] = data[source]
    if data.get("entry"):
        return
    line = dict(rule.fixed)
    for line_field, header_field in rule.copy:
        if data.get(header_field) is not None:
            line[line_field] = data[header_field]
    for name in rule.move:
        if name in data:
            line[name] = data.pop(name)
    data["entry"] = [line]
