"""Projects and executions: ``/projects``, ``/executions`` and their items.

A contract's project requires a unique code (the contract number) and a linked
product; an execution's dates must lie inside its project's.
"""

from __future__ import annotations

from typing import Any

from connectors.zentao.sandbox import render as fmt
from connectors.zentao.sandbox.base import NOT_FOUND, ApiBase, Result, by_status, number
from connectors.zentao.sandbox.rules import (
    GE_PROJECT_BEGIN,
    LE_PROJECT_END,
    NOT_EMPTY,
    Refused,
    check_dates,
    check_filled,
    check_unique,
    label,
    require_present,
)
from connectors.zentao.sandbox.seed import project_row


class ProjectRoutes(ApiBase):
    """Projects and executions: ``/projects``, ``/executions`` and their items."""

    # -- projects ------------------------------------------------------------------------
    def _project_list(self, row: dict[str, Any]) -> dict[str, Any]:
        out = self.r.format(row, fmt.PROJECT_LIST)
        ids = {e["id"] for e in self.store.live("executions") if e["project"] == row["id"]}
        out["progress"] = self.r.raw("progress", self.stats(ids)["progress"])
        return out

    def projects(self, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``GET /projects`` (status: all, undone, wait, doing, suspended, closed)."""
        rows = by_status(self.store.live("projects"), query.get("status", "all"))
        return self.listing(
            rows,
            "projects",
            query,
            default_limit=20,
            default_order="order_asc",
            render=self._project_list,
            limit_as_int=True,
        )

    def project(self, pid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``GET /projects/{id}`` (deleted ones too, flagged)."""
        row = self.store.get("projects", pid)
        return (200, self.r.format(row, fmt.PROJECT_VIEW)) if row else NOT_FOUND

    def _project_checks(
        self, body: dict[str, Any], *, skip_id: int | None = None
    ) -> dict[str, list[str]]:
        filled = tuple(f for f in ("name", "code", "begin", "end") if f in body)
        problems = check_filled("projects", body, filled)
        check_dates("projects", body, problems)
        live = self.store.live("projects")
        for field in ("code", "name"):
            if field in body:
                check_unique("projects", field, body[field], live, problems, skip_id=skip_id)
        return problems

    def project_create(self, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``POST /projects``: requires name, code, begin, end and linked products."""
        require_present("projects", body)
        problems = self._project_checks(body)
        products = body.get("products")
        valid = (
            [int(p) for p in products if str(p).isdigit() and self.store.get("products", p)]
            if isinstance(products, list)
            else []
        )
        if not valid:
            problems.setdefault("products", []).append(
                NOT_EMPTY.format(label("projects", "products"))
            )
        self.refuse(problems)
        now = self.now()
        extra = {
            k: body[k] for k in ("PM", "acl", "model", "desc", "budgetUnit", "days") if k in body
        }
        row = self.store.insert(
            "projects",
            project_row(
                self.store,
                name=str(body["name"]),
                code=str(body["code"]),
                begin=str(body["begin"]),
                end=str(body["end"]),
                opened=now,
                openedBy=self.account,
                lastEditedBy=self.account,
                budget=str(body.get("budget", "0")),
                parent=int(body.get("program") or body.get("parent") or 0),
                **extra,
            ),
        )
        row["path"], row["order"] = f",{row['id']},", row["id"] * 5
        self.store.project_products[row["id"]] = valid
        return 201, self.r.format(row, fmt.PROJECT_LIST)

    def project_edit(self, pid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``PUT /projects/{id}``: only the fields this release's entry copies are applied."""
        row = self.store.get("projects", pid)
        if row is None:
            return NOT_FOUND
        fields = ["name", "begin", "end", "acl", "parent", "desc", "PM", "whitelist"]
        if self.sb.options.project_put == "newer":
            fields += ["code", "budget", "budgetUnit", "days"]
        changes = {k: body[k] for k in fields if k in body}
        merged = {**{k: row[k] for k in ("begin", "end")}, **changes}
        problems = self._project_checks(
            {**changes, "begin": merged["begin"], "end": merged["end"]}, skip_id=row["id"]
        )
        self.refuse(problems)
        row.update({k: str(v) if k == "budget" else v for k, v in changes.items()})
        row.update(lastEditedBy=self.account, lastEditedDate=self.now())
        return 200, self.r.format(row, fmt.PROJECT_VIEW)

    def project_delete(self, pid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``DELETE /projects/{id}``: soft delete."""
        return self._delete("projects", pid)

    # -- executions ----------------------------------------------------------------------
    def _execution(self, row: dict[str, Any], spec: str) -> dict[str, Any]:
        out = self.r.format(row, spec)
        out.update({k: self.r.raw(k, v) for k, v in self.stats({row["id"]}).items()})
        return out

    def executions(
        self, pid: str | None = None, *, query: dict[str, str], body: dict[str, Any]
    ) -> Result:
        """``GET /executions`` (optionally ``?project=``) and ``GET /projects/{id}/executions``."""
        project = pid or query.get("project")
        rows = self.store.live("executions")
        if project and project != "0":
            rows = [r for r in rows if str(r["project"]) == str(project)]
        rows = by_status(rows, query.get("status", "all"))
        return self.listing(
            rows,
            "executions",
            query,
            default_limit=20,
            default_order="id_desc",
            render=lambda row: self._execution(row, fmt.EXECUTION_LIST),
        )

    def execution(self, eid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``GET /executions/{id}``."""
        row = self.store.get("executions", eid)
        return (200, self._execution(row, fmt.EXECUTION_VIEW)) if row else NOT_FOUND

    def _execution_checks(
        self, project: dict[str, Any], body: dict[str, Any], *, skip_id: int | None = None
    ) -> dict[str, list[str]]:
        filled = tuple(f for f in ("name", "code", "begin", "end", "days") if f in body)
        problems = check_filled("executions", body, filled)
        check_dates("executions", body, problems)
        begin, end = str(body.get("begin") or ""), str(body.get("end") or "")
        if begin and begin < project["begin"]:
            problems.setdefault("begin", []).append(
                GE_PROJECT_BEGIN.format(label("executions", "begin"), project["begin"])
            )
        if end and end > project["end"]:
            problems.setdefault("end", []).append(
                LE_PROJECT_END.format(label("executions", "end"), project["end"])
            )
        if "code" in body:
            live = self.store.live("executions")
            check_unique("executions", "code", body["code"], live, problems, skip_id=skip_id)
        if "name" in body:
            siblings = [e for e in self.store.live("executions") if e["project"] == project["id"]]
            check_unique("executions", "name", body["name"], siblings, problems, skip_id=skip_id)
        return problems

    def execution_create(self, pid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``POST /projects/{id}/executions``: requires name, code, begin, end, days."""
        require_present("executions", body)
        project = self.store.get("projects", query.get("project") or pid)
        if project is None or project["deleted"] == "1":
            raise Refused({"project": [NOT_EMPTY.format(label("executions", "project"))]})
        self.refuse(self._execution_checks(project, body))
        now = self.now()
        extra = {
            k: body[k] for k in ("PM", "PO", "QD", "RD", "desc", "acl", "lifetime") if k in body
        }
        row = self.store.insert(
            "executions",
            project_row(
                self.store,
                name=str(body["name"]),
                code=str(body["code"]),
                begin=str(body["begin"]),
                end=str(body["end"]),
                opened=now,
                type="sprint",
                model="",
                project=project["id"],
                parent=project["id"],
                days=int(number(body["days"]) or 0),
                openedBy=self.account,
                lastEditedBy=self.account,
                **extra,
            ),
        )
        row["path"], row["order"] = f",{project['id']},{row['id']},", row["id"] * 5
        return 201, self.r.format(row, fmt.EXECUTION_VIEW)

    def execution_edit(self, eid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``PUT /executions/{id}``: fields not sent keep their values."""
        row = self.store.get("executions", eid)
        if row is None:
            return NOT_FOUND
        fields = (
            "name",
            "code",
            "begin",
            "end",
            "days",
            "lifetime",
            "desc",
            "PM",
            "PO",
            "QD",
            "RD",
            "acl",
        )
        changes = {k: body[k] for k in fields if k in body}
        project = self.store.get("projects", row["project"]) or row
        check = {
            **changes,
            "begin": changes.get("begin", row["begin"]),
            "end": changes.get("end", row["end"]),
        }
        self.refuse(self._execution_checks(project, check, skip_id=row["id"]))
        row.update(changes)
        row.update(lastEditedBy=self.account, lastEditedDate=self.now())
        return 200, self._execution(row, fmt.EXECUTION_VIEW)

    def execution_delete(self, eid: str, *, query: dict[str, str], body: dict[str, Any]) -> Result:
        """``DELETE /executions/{id}``."""
        return self._delete("executions", eid)
