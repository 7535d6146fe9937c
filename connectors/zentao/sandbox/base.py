"""What every route handler shares: the session's account, the clock, the pager, errors."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from connectors.zentao.sandbox import render as fmt
from connectors.zentao.sandbox.rules import Refused
from connectors.zentao.sandbox.store import hours

if TYPE_CHECKING:
    from connectors.zentao.sandbox import ZentaoSandbox

Result = tuple[int, Any]

NOT_FOUND: Result = (404, {"error": "404 Not found"})
SUCCESS: Result = (200, {"message": "success"})


def number(value: Any) -> Decimal | None:
    """``value`` as a Decimal, or ``None`` if it is not a number."""
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


class ApiBase:
    """State and helpers of the handlers; ``sb`` is the sandbox (store, clock, options)."""

    account: str = ""

    def __init__(self, sandbox: ZentaoSandbox) -> None:
        self.sb = sandbox
        self.store = sandbox.store
        self.r = sandbox.renderer

    def now(self) -> str:
        """Now as the server stores it."""
        return self.store.local(self.sb.clock.now())

    def today(self) -> str:
        """Today in the server's zone."""
        return self.now()[:10]

    def refuse(self, problems: dict[str, list[str]]) -> None:
        """Raise the DAO-check problems as ZenTao shows them (object, or joined text)."""
        if not problems:
            return
        if self.sb.options.error_style == "string":
            raise Refused("\n".join(m for msgs in problems.values() for m in msgs))
        raise Refused(problems)

    def listing(
        self,
        rows: list[dict[str, Any]],
        key: str,
        query: dict[str, str],
        *,
        default_limit: int,
        default_order: str,
        render: Callable[[dict[str, Any]], dict[str, Any]],
        limit_as_int: bool = False,
    ) -> Result:
        """ZenTao's pager: ``{page,total,limit,<key>}``; a page past the end serves page 1 again."""
        rows = self.ordered(rows, query.get("order") or default_order)
        limit_raw = query.get("limit", "")
        limit = int(limit_raw) if limit_raw.isdigit() and int(limit_raw) > 0 else default_limit
        total = len(rows)
        pages = math.ceil(total / limit)
        page_raw = query.get("page", "1")
        wanted = int(page_raw) if page_raw.isdigit() else 0
        page_echo: int | str
        if 0 < wanted <= pages:
            page, page_echo = wanted, page_raw  # PHP echoes the query string value
        elif self.sb.options.past_end == "clamp" and wanted > pages > 0:
            page = page_echo = pages
        else:
            page = page_echo = 1
        items = rows[(page - 1) * limit : page * limit]
        limit_echo: int | str = limit if (limit_as_int or not limit_raw.isdigit()) else limit_raw
        return 200, {
            "page": page_echo,
            "total": total,
            "limit": limit_echo,
            key: [render(row) for row in items],
        }

    @staticmethod
    def ordered(rows: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
        """Rows sorted by ``<field>_<asc|desc>``; zero dates sort lowest, ties by id."""
        field, _, direction = order.rpartition("_")
        if not field or direction not in ("asc", "desc") or (rows and field not in rows[0]):
            field, direction = "id", "desc"

        def key(row: dict[str, Any]) -> tuple[Any, ...]:
            value = row.get(field)
            if isinstance(value, int | Decimal) and not isinstance(value, bool):
                return (0, value, "", row["id"])
            text = "" if value is None or str(value).startswith("0000-00-00") else str(value)
            amount = number(text) if field in fmt.NUMERIC else None
            return (0, amount, "", row["id"]) if amount is not None else (1, 0, text, row["id"])

        return sorted(rows, key=key, reverse=direction == "desc")

    def stats(self, execution_ids: set[int]) -> dict[str, Any]:
        """Hours and progress over the live tasks of these executions, as ZenTao lists show."""
        est = con = left = Decimal(0)
        for task in self.store.live("tasks"):
            if task["execution"] in execution_ids and task["status"] != "cancel":
                est += hours(task["estimate"])
                con += hours(task["consumed"])
                left += hours(task["left"])
        progress = (con / (con + left) * 100).quantize(Decimal("0.1")) if con + left else Decimal(0)
        return {
            "totalEstimate": est,
            "totalConsumed": con,
            "totalLeft": left,
            "progress": progress,
        }

    def _delete(self, table: str, rid: str) -> Result:
        row = self.store.get(table, rid)
        if row is None:
            return NOT_FOUND
        row["deleted"] = "1"
        if "lastEditedDate" in row:
            row.update(lastEditedBy=self.account, lastEditedDate=self.now())
        return SUCCESS


def by_status(rows: list[dict[str, Any]], status: str) -> list[dict[str, Any]]:
    """Rows matching a list's ``status`` parameter (``all``, ``undone`` or one status)."""
    if status in ("", "all", "allstory"):
        return rows
    if status == "undone":
        return [r for r in rows if r.get("status") not in ("done", "closed", "cancel")]
    return [r for r in rows if r.get("status") == status]


def story_filter(rows: list[dict[str, Any]], status: str) -> list[dict[str, Any]]:
    """Stories matching a ZenTao browse type (``unclosed``, ``activestory``...)."""
    named: dict[str, Callable[[dict[str, Any]], bool]] = {
        "unclosed": lambda r: r["status"] != "closed",
        "activestory": lambda r: r["status"] == "active",
        "draftstory": lambda r: r["status"] == "draft",
        "reviewingstory": lambda r: r["status"] == "reviewing",
        "changingstory": lambda r: r["status"] == "changing",
        "closedstory": lambda r: r["status"] == "closed",
        "willclose": lambda r: r["stage"] in ("developed", "released") and r["status"] != "closed",
    }
    test = named.get(status)
    return rows if test is None else [r for r in rows if test(r)]
