"""Tasks: ``/executions/{id}/tasks``, ``/tasks/{id}`` and the task actions.

The famous quirk lives here: ``PUT /tasks/{id}`` answers 200 with the re-read
task even when the edit failed validation and nothing was saved.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from connectors.zentao.sandbox import render as fmt
from connectors.zentao.sandbox.base import NOT_FOUND, ApiBase, Result, by_status, number
from connectors.zentao.sandbox.rules import (
    GREATER,
    NOT_EMPTY,
    TASK_STATUS,
    TASK_TYPES,
    Refused,
    check_filled,
    label,
    require_present,
)
from connectors.zentao.sandbox.seed import task_row
from connectors.zentao.sandbox.store import hours


class TaskRoutes(ApiBase):
    """Tasks: ``/executions/{id}/tasks``, ``/tasks/{id}`` and the task actions."""

    # -- tasks ---------------------------------------------------------------------------
    def _task_list(self, row: dict[str, Any]) -> dict[str, Any]:
        out = self.r.format(row, fmt.TASK_LIST)
        spent = hours(row["consumed"]) + hours(row["left"])
        out["progress"] = self.r.raw(
            "progress", round(hours(row["consumed"]) / spent * 100) if spent else 0
        )
        return out

    def tasks(self, eid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``GET /executions/{id}/tasks`` (status default ``all``, 100 a page)."""
        if self.store.get("executions", eid) is None:
            return NOT_FOUND
        rows = [r for r in self.store.live("tasks") if str(r["execution"]) == eid]
        rows = by_status(rows, query.get("status", "all"))
        return self.listing(
            rows, "tasks", query, default_limit=100, default_order="id_desc", render=self._task_list
        )

    def _task_view(self, row: dict[str, Any]) -> dict[str, Any]:
        out = self.r.format(row, fmt.TASK_VIEW)
        for key in (
            "openedBy",
            "finishedBy",
            "canceledBy",
            "closedBy",
            "lastEditedBy",
            "assignedTo",
        ):
            out[key] = self.r.user(row[key])
        out["mailto"] = self.r.cast(row["mailto"], "userList")
        execution = self.store.get("executions", row["execution"]) or {}
        out.update(
            {
                "executionName": execution.get("name", ""),
                "moduleTitle": "/",
                "children": [],
                "team": [],
            }
        )
        return out

    def task(self, tid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``GET /tasks/{id}``: users as objects."""
        row = self.store.get("tasks", tid)
        return (200, self._task_view(row)) if row else NOT_FOUND

    def task_create(self, eid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``POST /executions/{id}/tasks``: requires name, assignedTo, type, estStarted, deadline."""
        execution = self.store.get("executions", eid)
        if execution is None:
            return NOT_FOUND
        require_present("tasks", body)
        assigned = (
            body["assignedTo"] if isinstance(body["assignedTo"], list) else [body["assignedTo"]]
        )
        problems = self._task_problems({**body, "assignedTo": assigned[0] if assigned else ""})
        self.refuse(problems)
        now = self.now()
        estimate = number(body.get("estimate") or 0) or Decimal(0)
        row = self.store.insert(
            "tasks",
            task_row(
                self.store,
                project=execution["project"],
                execution=execution["id"],
                name=str(body["name"]),
                type=str(body["type"]),
                pri=int(number(body.get("pri") or 3) or 3),
                estimate=estimate,
                left=estimate,
                story=int(number(body.get("story") or 0) or 0),
                desc=str(body.get("desc") or ""),
                estStarted=str(body["estStarted"]),
                deadline=str(body["deadline"]),
                assignedTo=str(assigned[0]) if assigned else "",
                assignedDate=now,
                openedBy=self.account,
                openedDate=now,
            ),
        )
        return 201, self._task_list(row)

    def _task_problems(self, task: dict[str, Any]) -> dict[str, list[str]]:
        problems = check_filled("tasks", task, tuple(f for f in ("name", "type") if f in task))
        if "type" in task and task["type"] not in TASK_TYPES:
            problems.setdefault("type", []).append(NOT_EMPTY.format(label("tasks", "type")))
        if "status" in task and task["status"] not in TASK_STATUS:
            problems.setdefault("status", []).append(f"『status』{task['status']} 不在列表中。")
        for field in ("estimate", "left", "consumed"):
            if field in task:
                value = number(task[field] if task[field] != "" else 0)
                if value is None or value < 0:
                    problems.setdefault(field, []).append(
                        f"『{label('tasks', field)}』应当大于等于『0』。"
                    )
        begin, end = str(task.get("estStarted") or ""), str(task.get("deadline") or "")
        if (
            begin
            and end
            and not begin.startswith("0000")
            and not end.startswith("0000")
            and end < begin
        ):
            problems.setdefault("deadline", []).append(
                GREATER.format(label("tasks", "deadline"), begin)
            )
        who = task.get("assignedTo")
        if who and who not in self.store.passwords:
            problems.setdefault("assignedTo", []).append(
                NOT_EMPTY.format(label("tasks", "assignedTo"))
            )
        return problems

    def task_edit(self, tid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``PUT /tasks/{id}``: answers 200 with the re-read task *even when the edit failed*."""
        row = self.store.get("tasks", tid)
        if row is None:
            return NOT_FOUND
        fields = (
            "name",
            "type",
            "assignedTo",
            "estimate",
            "left",
            "consumed",
            "story",
            "module",
            "closedReason",
            "status",
            "estStarted",
            "deadline",
        )
        merged = {k: body.get(k, row[k]) for k in fields}
        if isinstance(merged["assignedTo"], dict):
            merged["assignedTo"] = merged["assignedTo"].get("account", "")
        if not self._task_problems(merged):
            for key in ("estimate", "left", "consumed"):
                merged[key] = number(merged[key] if merged[key] != "" else 0)
            row.update(merged)
            row.update(lastEditedBy=self.account, lastEditedDate=self.now())
        return 200, self.r.format(row, fmt.TASK_EDITED)

    def task_action(
        self, tid: str, action: str, *, query: dict[str, str], body: dict[str, Any]
    ) -> Result:
        """``POST /tasks/{id}/<start|finish|close|pause|restart>`` (PUT accepted too)."""
        row = self.store.get("tasks", tid)
        if row is None:
            return NOT_FOUND
        now = self.now()
        if action == "start":
            if "left" not in body:
                raise Refused(NOT_EMPTY.format("预计剩余"))
            row.update(status="doing", left=hours(body["left"]), realStarted=now)
            row["consumed"] = hours(body.get("consumed", row["consumed"]))
        elif action == "finish":
            for field, name in (("currentConsumed", "本次消耗"), ("finishedDate", "实际完成")):
                if field not in body:
                    raise Refused(NOT_EMPTY.format(name))
            row.update(
                status="done",
                consumed=hours(row["consumed"]) + hours(body["currentConsumed"]),
                left=Decimal(0),
                finishedBy=self.account,
                finishedDate=now,
            )
        elif action == "close":
            row.update(status="closed", closedBy=self.account, closedDate=now, closedReason="done")
        else:
            row["status"] = "pause" if action == "pause" else "doing"
        row.update(lastEditedBy=self.account, lastEditedDate=now)
        return 200, self._task_view(row)

    def task_delete(self, tid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``DELETE /tasks/{id}``."""
        return self._delete("tasks", tid)
