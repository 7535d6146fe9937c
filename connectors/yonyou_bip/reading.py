"""List requests and their answers: paging, ``pubts`` filters and row extraction.

Two list dialects exist (see ``BipObject.list_style``); everything that differs
between them is here, so the connector's read loop is one loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from connectors.sdk import MalformedResponse
from connectors.yonyou_bip.streams import BipObject
from connectors.yonyou_bip.wire import format_stamp


def list_body(
    obj: BipObject, page_index: int, page_size: int, since: datetime | None
) -> dict[str, Any]:
    """The JSON body of one list page, filtered to ``pubts >= since`` when given."""
    body: dict[str, Any] = {"pageIndex": page_index, "pageSize": page_size}
    if obj.list_style == "bare":
        if since is not None:
            body["pubts"] = format_stamp(since)
        return body
    body["isSum"] = True  # header rows only: one row per document
    if since is not None:
        body["simpleVOs"] = [{"field": "pubts", "op": "egt", "value1": format_stamp(since)}]
    body["queryOrders"] = [{"field": "pubts", "order": "asc"}, {"field": "id", "order": "asc"}]
    return body


def lookup_body(field: str, keys: Sequence[str], page_index: int, page_size: int) -> dict[str, Any]:
    """A list body selecting the rows whose external-key field is one of ``keys``."""
    return {
        "pageIndex": page_index,
        "pageSize": page_size,
        "isSum": True,
        "simpleVOs": [{"field": field, "op": "in", "value1": list(keys)}],
    }


def rows_of(
    obj: BipObject, data: Any, page_index: int, page_size: int, *, style: str | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """The rows of one list answer and whether another page follows."""
    style = style or obj.list_style
    if style == "bare":
        rows = data if isinstance(data, list) else [] if data is None else None
        if rows is None:
            raise MalformedResponse(f"{obj.list_path}: expected data to be an array")
        return _dicts(rows, obj), len(rows) >= page_size
    if data is None:
        return [], False
    if not isinstance(data, dict):
        raise MalformedResponse(f"{obj.list_path}: expected data to be an object")
    rows = data.get("recordList") or []
    page_count = int(data.get("pageCount") or 0)
    return _dicts(rows, obj), page_index < page_count


def _dicts(rows: Iterable[Any], obj: BipObject) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in rows:
        if not isinstance(row, dict) or row.get("id") in (None, ""):
            raise MalformedResponse(f"{obj.list_path}: a row without an id")
        rid = str(row["id"])
        if rid in seen:  # isSum=false flattening repeats a document per line
            continue
        seen.add(rid)
        result.append(row)
    return result
