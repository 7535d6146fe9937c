"""Rows -> JSON the way each ZenTao v1 entry formats them.

Each entry converts only the fields in its own format list (``openedDate:time``
becomes UTC ``...Z``, ``begin:date`` turns zero dates into null, ``deleted:bool``,
``assignedTo:user`` becomes a user object) and passes every other column on raw.
That inconsistency is the point: the same task reads differently from the
list, the detail view and the answer to an edit.
"""

from __future__ import annotations

import json
from datetime import UTC
from decimal import Decimal
from typing import Any

from connectors.zentao.sandbox.store import Store

PROJECT_LIST = "openedDate:time,lastEditedDate:time,closedDate:time,canceledDate:time"
PROJECT_VIEW = (
    "openedBy:user,openedDate:time,lastEditedBy:user,lastEditedDate:time,closedBy:user,"
    "closedDate:time,canceledBy:user,canceledDate:time,realBegan:date,realEnd:date,PM:user,"
    "whitelist:userList,deleted:bool"
)
EXECUTION_LIST = (
    "openedDate:time,lastEditedDate:time,closedDate:time,canceledDate:time,begin:date,end:date,"
    "realBegan:date,realEnd:date,deleted:bool"
)
EXECUTION_VIEW = "openedDate:time,lastEditedDate:time,closedDate:time,canceledDate:time"
STORY = (
    "openedBy:user,openedDate:time,assignedTo:user,assignedDate:time,reviewedBy:user,"
    "reviewedDate:time,lastEditedBy:user,lastEditedDate:time,closedBy:user,closedDate:time,"
    "deleted:bool,mailto:userList"
)
TASK_LIST = (
    "deadline:date,openedBy:user,openedDate:time,assignedTo:user,assignedDate:time,"
    "realStarted:time,finishedBy:user,finishedDate:time,closedBy:user,closedDate:time,"
    "canceledBy:user,canceledDate:time,lastEditedBy:user,lastEditedDate:time,deleted:bool,"
    "mailto:userList"
)
TASK_VIEW = (
    "openedDate:time,assignedDate:time,realStarted:time,finishedDate:time,canceledDate:time,"
    "closedDate:time,lastEditedDate:time,deleted:bool"
)
TASK_EDITED = (
    "openedDate:time,assignedDate:time,realStarted:time,finishedDate:time,canceledDate:time,"
    "closedDate:time,lastEditedDate:time"
)
PLAN = "begin:date,end:date,deleted:bool,project:int"

NUMERIC = frozenset(
    {
        "id",
        "project",
        "product",
        "execution",
        "parent",
        "story",
        "module",
        "branch",
        "grade",
        "order",
        "days",
        "estimate",
        "consumed",
        "left",
        "version",
        "fromBug",
        "toBug",
        "duplicateStory",
        "storyVersion",
        "design",
        "planDuration",
        "realDuration",
        "dept",
    }
)


class Renderer:
    """Formats rows for one sandbox (its zone, users and typing quirks)."""

    def __init__(self, store: Store, *, string_numbers: bool) -> None:
        self.store = store
        self.string_numbers = string_numbers

    def user(self, account: Any) -> Any:
        """``{"id","account","avatar","realname"}`` for a known account, else the raw value."""
        if not account:
            return ""
        for row in self.store.tables["users"].values():
            if row["account"] == account:
                return {
                    "id": row["id"],
                    "account": account,
                    "avatar": "",
                    "realname": row["realname"],
                }
        return account

    def time(self, value: Any) -> Any:
        """Server-local time -> UTC ``Y-m-dTH:i:sZ``; zero -> null."""
        moment = self.store.parse_local(value)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None

    def cast(self, value: Any, kind: str) -> Any:
        """One value cast the way ZenTao's ``entry::cast`` does."""
        if kind == "time":
            return self.time(value)
        if kind == "date":
            return None if not value or str(value).startswith("0000-00-00") else value
        if kind == "bool":
            return value not in ("0", "", 0, False, None)
        if kind == "int":
            return int(value or 0)
        if kind == "user":
            return self.user(value)
        if kind == "userList":
            items = value.split(",") if isinstance(value, str) else list(value or [])
            return [self.user(a) for a in items if a]
        return value

    def format(self, row: dict[str, Any], spec: str) -> dict[str, Any]:
        """A copy of ``row`` with the fields of ``spec`` cast and the rest raw."""
        out = {key: self.raw(key, value) for key, value in row.items()}
        for item in spec.split(","):
            key, _, kind = item.partition(":")
            if key in row:
                out[key] = self.cast(row[key], kind)
        return out

    def raw(self, key: str, value: Any) -> Any:
        """A column as the database driver hands it over (strings, with the numbers option)."""
        if isinstance(value, Decimal):
            value = int(value) if value == value.to_integral_value() else float(value)
        if self.string_numbers and key in NUMERIC and isinstance(value, int | float):
            return str(value)
        return value


def php_json(payload: Any) -> bytes:
    """JSON as PHP's ``json_encode($data, JSON_HEX_TAG)``: ASCII escapes, escaped slashes and tags."""
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"), default=_default)
    text = text.replace("/", "\\/").replace("<", "\\u003C").replace(">", "\\u003E")
    return text.encode()


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON: {type(value).__name__}")
