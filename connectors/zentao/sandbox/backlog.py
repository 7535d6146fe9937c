"""Stories and product plans: the product backlog.

Story PUT ignores ``spec``/``verify`` (they change through ``/change``); plan
create answers 200 and wraps its error in a ``message`` object; a plan's
view embeds its stories raw, with server-local times and zero dates.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from connectors.zentao.sandbox import render as fmt
from connectors.zentao.sandbox.base import (
    NOT_FOUND,
    ApiBase,
    Result,
    by_status,
    number,
    story_filter,
)
from connectors.zentao.sandbox.rules import (
    NOT_EMPTY,
    STORY_CATEGORIES,
    Refused,
    check_dates,
    check_filled,
    label,
    require_present,
)
from connectors.zentao.sandbox.seed import plan_row, story_row
from connectors.zentao.sandbox.store import ZERO_DATE


class BacklogRoutes(ApiBase):
    """Stories and product plans: the product backlog."""

    # -- stories -------------------------------------------------------------------------
    def _story(self, row: dict[str, Any]) -> dict[str, Any]:
        out = self.r.format(row, fmt.STORY)
        out["name"] = row["title"]
        return out

    def stories(self, pid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``GET /products/{id}/stories`` (status default ``unclosed``)."""
        if self.store.get("products", pid) is None:
            raise Refused("Need product id.")
        rows = [r for r in self.store.live("stories") if str(r["product"]) == pid]
        rows = story_filter(rows, query.get("status", "unclosed"))
        return self.listing(
            rows, "stories", query, default_limit=20, default_order="id_desc", render=self._story
        )

    def story(self, sid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``GET /stories/{id}`` with its tasks."""
        row = self.store.get("stories", sid)
        if row is None:
            return NOT_FOUND
        out = self._story(row)
        out["tasks"] = [
            {"id": t["id"], "name": t["name"], "type": t["type"]}
            for t in self.store.live("tasks")
            if t["story"] == row["id"]
        ]
        out.update({"bugs": [], "cases": [], "moduleTitle": "/"})
        return 200, out

    def story_create(
        self, pid: str | None = None, *, query: dict[str, str], body: dict[str, Any]
    ) -> Result:
        """``POST /products/{id}/stories`` or ``POST /stories``: 200 with the story."""
        product_id = pid or query.get("product") or body.get("product")
        if not product_id or self.store.get("products", product_id) is None:
            raise Refused("Need product id.")
        require_present("stories", body)
        problems = check_filled("stories", body, ("title", "spec"))
        if str(body.get("category")) not in STORY_CATEGORIES:
            problems.setdefault("category", []).append(
                NOT_EMPTY.format(label("stories", "category"))
            )
        self.refuse(problems)
        now = self.now()
        fields = ("verify", "plan", "module", "source", "sourceNote", "keywords", "assignedTo")
        row = self.store.insert(
            "stories",
            story_row(
                self.store,
                product=int(product_id),
                title=str(body["title"]),
                spec=str(body["spec"]),
                pri=int(number(body["pri"]) or 3),
                category=str(body["category"]),
                estimate=number(body.get("estimate") or 0) or Decimal(0),
                stage="planned" if body.get("plan") else "wait",
                status="reviewing" if body.get("reviewer") else "active",
                openedBy=self.account,
                openedDate=now,
                **{k: str(body[k]) if k == "plan" else body[k] for k in fields if k in body},
            ),
        )
        return 200, self._story(row)

    def story_edit(self, sid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``PUT /stories/{id}``: the listed fields only; ``spec``/``verify`` are ignored."""
        row = self.store.get("stories", sid)
        if row is None:
            return NOT_FOUND
        fields = (
            "title",
            "type",
            "plan",
            "module",
            "source",
            "sourceNote",
            "category",
            "pri",
            "estimate",
            "mailto",
            "keywords",
        )
        changes = {k: body[k] for k in fields if k in body}
        self.refuse(check_filled("stories", changes, ("title",) if "title" in changes else ()))
        if "plan" in changes:
            changes["plan"] = str(changes["plan"])
            if row["stage"] == "wait" and changes["plan"] not in ("", "0"):
                changes["stage"] = "planned"
        row.update(changes)
        row.update(lastEditedBy=self.account, lastEditedDate=self.now())
        return 200, self._story(row)

    def story_change(self, sid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``POST /stories/{id}/change``: new title/spec/verify as a new version."""
        row = self.store.get("stories", sid)
        if row is None:
            return NOT_FOUND
        for field in ("title", "spec"):
            if field not in body:
                raise Refused(NOT_EMPTY.format(label("stories", field)))
        row.update(
            title=str(body["title"]),
            spec=str(body["spec"]),
            verify=str(body.get("verify", row["verify"])),
            version=int(row["version"]) + 1,
            lastEditedBy=self.account,
            lastEditedDate=self.now(),
        )
        return 200, self._story(row)

    def story_close(self, sid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``POST /stories/{id}/close`` with a ``closedReason``."""
        row = self.store.get("stories", sid)
        if row is None:
            return NOT_FOUND
        if not body.get("closedReason"):
            raise Refused(NOT_EMPTY.format("关闭原因"))
        self.sb.close_story_row(row, str(body["closedReason"]), self.account)
        return 200, self._story(row)

    def story_delete(self, sid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``DELETE /stories/{id}``."""
        return self._delete("stories", sid)

    # -- product plans ---------------------------------------------------------------------
    def _plan(self, row: dict[str, Any]) -> dict[str, Any]:
        return self.r.format(row, fmt.PLAN)

    def plans(self, pid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``GET /products/{id}/plans``: child plans nested under their parent."""
        if self.store.get("products", pid) is None:
            raise Refused("No product id.")
        rows = [r for r in self.store.live("plans") if str(r["product"]) == pid]
        rows = by_status(rows, query.get("status", "all"))
        status, payload = self.listing(
            rows, "plans", query, default_limit=20, default_order="begin_desc", render=self._plan
        )
        nested: dict[int, dict[str, Any]] = {}
        for plan in payload["plans"]:
            parent = nested.get(int(plan["parent"] or 0))
            if parent is not None:
                parent.setdefault("children", []).append(plan)
            else:
                nested[int(plan["id"])] = plan
        payload["plans"] = list(nested.values())
        return status, payload

    def plan(self, pid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``GET /productplans/{id}``: linked stories embedded *raw* (local times, zero dates)."""
        row = self.store.get("plans", pid)
        if row is None:
            return NOT_FOUND
        out = self._plan(row)
        linked = [s for s in self.store.live("stories") if str(s["plan"]) == str(row["id"])]
        out["stories"] = [
            {k: self.r.raw(k, v) for k, v in s.items() if k not in ("spec", "verify")}
            for s in linked
        ]
        out["bugs"] = []
        return 200, out

    def _plan_problems(self, body: dict[str, Any]) -> None:
        problems = check_filled("plans", body, ("title",) if "title" in body else ())
        if "title" not in body:
            problems["title"] = [NOT_EMPTY.format(label("plans", "title"))]
        check_dates("plans", body, problems)
        if problems:
            raise Refused({"message": problems})

    def plan_create(self, pid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``POST /products/{id}/plans``: 200 (not 201); errors wrapped in ``{"message": ...}``."""
        if self.store.get("products", pid) is None:
            raise Refused("No product id.")
        self._plan_problems(body)
        row = self.store.insert(
            "plans",
            plan_row(
                self.store,
                product=int(pid),
                parent=int(number(body.get("parent") or 0) or 0),
                title=str(body["title"]),
                desc=str(body.get("desc") or ""),
                begin=str(body.get("begin") or ZERO_DATE),
                end=str(body.get("end") or ZERO_DATE),
                createdBy=self.account,
                createdDate=self.now(),
            ),
        )
        return 200, {**self._plan(row), "stories": [], "bugs": []}

    def plan_edit(self, pid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``PUT /productplans/{id}``."""
        row = self.store.get("plans", pid)
        if row is None:
            return NOT_FOUND
        changes: dict[str, Any] = {
            k: body[k] for k in ("title", "begin", "end", "desc", "status") if k in body
        }
        self._plan_problems(
            {"title": row["title"], "begin": row["begin"], "end": row["end"], **changes}
        )
        row.update(changes)
        return 200, self._plan(row)

    def plan_delete(self, pid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``DELETE /productplans/{id}``."""
        return self._delete("plans", pid)
