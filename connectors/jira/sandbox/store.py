"""The simulated site's behaviour: validation, create/edit, transitions, search, links.

Rules follow Jira's: a field is either in ``fields`` or in ``update``; status only
moves through a transition offered from the current status; search sees an
issue only once it is indexed (``index_lag``) unless its id is listed in
``reconcileIssues``; a remote link with a known ``globalId`` is updated, never
duplicated. Every write bumps ``updated`` and tells the webhook outbox.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from connectors.jira.sandbox import fields as fieldrules
from connectors.jira.sandbox import jql
from connectors.jira.sandbox.fields import NOT_ON_SCREEN, Errors
from connectors.jira.sandbox.model import (
    CATEGORIES,
    DEFAULT_RESOLUTION,
    EPIC_LINK_FIELD,
    EPIC_NAME_FIELD,
    ISSUE_TYPES,
    RESOLUTIONS,
    STATUSES,
    TRANSITIONS,
    Flavour,
    Issue,
    Project,
    RemoteLink,
    Transition,
    User,
    field_catalogue,
)
from connectors.jira.sandbox.render import adf_to_text, text_to_adf

EventSink = Callable[[str, Issue, list[dict[str, Any]], User], None]

_SETTABLE = {"summary", "description", "issuetype", "project", "labels", "duedate", "parent"}


class WriteRefused(Exception):
    """A write Jira answers with 400: general messages and per-field errors."""

    def __init__(self, messages: list[str] | None = None, errors: Errors | None = None) -> None:
        self.messages = messages or []
        self.errors = errors or {}
        super().__init__("; ".join(self.messages + [f"{k}: {v}" for k, v in self.errors.items()]))


@dataclass(slots=True)
class JiraStore:
    """All issues of the site and the rules that change them."""

    flavour: Flavour
    lock: threading.RLock
    now: Callable[[], datetime]
    index_lag: timedelta = timedelta(0)
    epic_name_required: bool = False
    users: dict[str, User] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    projects_by_id: dict[str, Project] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    next_issue_id: int = 10001
    next_link_id: int = 10000
    on_event: EventSink | None = None

    # -- catalogue -------------------------------------------------------------------
    def add_project(self, key: str, name: str) -> Project:
        """Create a project (ids count from 10000 as on real sites)."""
        project = Project(str(10000 + len(self.projects)), key, name)
        self.projects[key] = project
        self.projects_by_id[project.id] = project
        return project

    def project(self, id_or_key: str) -> Project | None:
        """A project by id or key (keys are case-insensitive)."""
        return self.projects_by_id.get(id_or_key) or self.projects.get(id_or_key.upper())

    def find(self, id_or_key: str | int) -> Issue | None:
        """An issue by numeric id or key."""
        text = str(id_or_key).strip()
        if text.isdigit():
            return self.issues.get(int(text))
        upper = text.upper()
        return next((i for i in self.issues.values() if i.key == upper), None)

    def custom_fields(self) -> dict[str, str]:
        """Custom field id by id, clause name and display name (lower case)."""
        names: dict[str, str] = {}
        for f in field_catalogue(self.flavour):
            if f.is_custom:
                for alias in (f.id, *f.clause_names()):
                    names[alias.lower()] = f.id
        return names

    # -- create / edit ---------------------------------------------------------------
    def create(self, payload: Any, *, adf: bool, user: User) -> Issue:
        """Validate and create one issue (``WriteRefused`` with Jira's errors)."""
        if not isinstance(payload, dict):
            raise WriteRefused(["Can not deserialize instance of IssueUpdateBean."])
        fields = payload.get("fields") or {}
        update = payload.get("update") or {}
        if not isinstance(fields, dict) or not isinstance(update, dict):
            raise WriteRefused(["Can not deserialize instance of IssueUpdateBean."])
        errors: Errors = {}
        project = self._project_ref(fields.get("project"), errors)
        itype = self._type_ref(fields.get("issuetype"), errors)
        if "summary" not in fields and "summary" not in update:
            errors["summary"] = "You must specify a summary of the issue."
        changes = self._changes(fields, update, adf=adf, itype=itype, errors=errors, creating=True)
        if itype is not None and ISSUE_TYPES[itype].name == "Epic":
            name = changes.get(("custom", EPIC_NAME_FIELD))
            if self.epic_name_required and not name:
                errors[EPIC_NAME_FIELD] = "Epic Name is required."
        if itype is not None and ISSUE_TYPES[itype].subtask and not changes.get("parent"):
            errors.setdefault("parent", "Sub-task parent is required.")
        if errors or project is None or itype is None:
            raise WriteRefused(errors=errors)
        now = self.now()
        issue = Issue(
            id=self.next_issue_id,
            key=f"{project.key}-{project.next_number}",
            project=project.id,
            issuetype=itype,
            summary="",
            created=now,
            updated=now,
            reporter=user.account_id,
        )
        self.next_issue_id += 1
        project.next_number += 1
        self._apply(issue, changes)
        issue.indexed_at = now + self.index_lag
        self.issues[issue.id] = issue
        self._emit("jira:issue_created", issue, [], user)
        return issue

    def edit(self, issue: Issue, payload: Any, *, adf: bool, user: User) -> None:
        """Validate and apply an edit (status cannot change here)."""
        if not isinstance(payload, dict):
            raise WriteRefused(["Can not deserialize instance of IssueUpdateBean."])
        fields = payload.get("fields") or {}
        update = payload.get("update") or {}
        errors: Errors = {}
        for locked in ("project", "issuetype"):
            if locked in fields:
                errors[locked] = NOT_ON_SCREEN.format(locked)
        changes = self._changes(
            fields, update, adf=adf, itype=issue.issuetype, errors=errors, creating=False
        )
        if errors:
            raise WriteRefused(errors=errors)
        before = self._describe(issue)
        self._touch(issue)
        self._apply(issue, changes)
        self._emit(
            "jira:issue_updated", issue, fieldrules.diff(before, self._describe(issue)), user
        )

    def _project_ref(self, ref: Any, errors: Errors) -> Project | None:
        key = ref.get("id") or ref.get("key") if isinstance(ref, dict) else ref
        project = self.project(str(key)) if key else None
        if project is None:
            errors["project"] = "Specify a valid project ID or key"
        return project

    def _type_ref(self, ref: Any, errors: Errors) -> str | None:
        if isinstance(ref, dict) and ref.get("id") in ISSUE_TYPES:
            return str(ref["id"])
        if isinstance(ref, dict) and ref.get("name"):
            for itype in ISSUE_TYPES.values():
                if itype.name.lower() == str(ref["name"]).lower():
                    return itype.id
        errors["issuetype"] = (
            "Specify an issue type" if not ref else "The issue type selected is invalid."
        )
        return None

    def _changes(
        self,
        fields: dict[str, Any],
        update: dict[str, Any],
        *,
        adf: bool,
        itype: str | None,
        errors: Errors,
        creating: bool,
    ) -> dict[Any, Any]:
        changes: dict[Any, Any] = {}
        custom = {f.id: f for f in field_catalogue(self.flavour) if f.is_custom}
        for name in set(fields) & set(update):
            errors[name] = f"Field '{name}' cannot be set in both 'fields' and 'update'."
        for name, value in fields.items():
            if name in ("project", "issuetype"):
                continue
            if name in custom:
                self._custom_value(name, value, itype, changes, errors)
            elif name not in _SETTABLE:
                errors[name] = NOT_ON_SCREEN.format(name)
            elif name == "summary":
                fieldrules.summary(value, changes, errors)
            elif name == "description":
                fieldrules.description(value, adf, changes, errors)
            elif name == "labels":
                fieldrules.labels(value, changes, errors)
            elif name == "duedate":
                fieldrules.duedate(value, changes, errors)
            elif name == "parent":
                self._parent(value, itype, changes, errors)
        for name, ops in update.items():
            if not isinstance(ops, list):
                errors[name] = "Operation value must be a list of operations."
                continue
            for op in ops:
                self._update_op(name, op, itype, adf, changes, errors)
        if not creating and "summary" in changes and not changes["summary"]:
            errors["summary"] = "You must specify a summary of the issue."
        return changes

    def _update_op(
        self,
        name: str,
        op: Any,
        itype: str | None,
        adf: bool,
        changes: dict[Any, Any],
        errors: Errors,
    ) -> None:
        if not isinstance(op, dict) or len(op) != 1:
            errors[name] = "Each operation must have exactly one verb (set, add, remove)."
            return
        verb, value = next(iter(op.items()))
        if name == "labels" and verb in ("add", "remove"):
            if not isinstance(value, str) or " " in value:
                errors["labels"] = f"The label '{value}' contains spaces which is invalid."
                return
            changes.setdefault("labels_ops", []).append((verb, value))
        elif name == "labels" and verb == "set":
            fieldrules.labels(value, changes, errors)
        elif name == "parent" and verb == "set" and isinstance(value, dict) and value.get("none"):
            changes["parent"] = None
        elif verb == "set" and name in ("summary", "description", "duedate", "parent"):
            if name == "summary":
                fieldrules.summary(value, changes, errors)
            elif name == "description":
                fieldrules.description(value, adf, changes, errors)
            elif name == "duedate":
                fieldrules.duedate(value, changes, errors)
            else:
                self._parent(value, itype, changes, errors)
        else:
            errors[name] = NOT_ON_SCREEN.format(name)

    def _parent(
        self, value: Any, itype: str | None, changes: dict[Any, Any], errors: Errors
    ) -> None:
        if value is None:
            changes["parent"] = None
            return
        if not isinstance(value, dict):
            errors["parent"] = "data was not an object"
            return
        kind = ISSUE_TYPES.get(itype or "")
        if self.flavour == "dc" and kind is not None and not kind.subtask:
            errors["parent"] = NOT_ON_SCREEN.format("parent")
            return
        parent = self.find(value.get("id") or value.get("key") or "")
        if parent is None:
            errors["parent"] = "Could not find issue by id or key."
            return
        parent_level = ISSUE_TYPES[parent.issuetype].hierarchy
        if kind is not None and parent_level <= kind.hierarchy:
            errors["parent"] = "Given parent work item does not belong to appropriate hierarchy."
            return
        changes["parent"] = parent.id

    def _custom_value(
        self, fid: str, value: Any, itype: str | None, changes: dict[Any, Any], errors: Errors
    ) -> None:
        if value is not None and not isinstance(value, str):
            errors[fid] = "Operation value must be a string"
            return
        if fid == EPIC_LINK_FIELD and value:
            epic = self.find(value)
            if epic is None or ISSUE_TYPES[epic.issuetype].name != "Epic":
                errors[fid] = f"Issue '{value}' is not an Epic."
                return
            if itype and ISSUE_TYPES[itype].hierarchy != 0:
                errors[fid] = NOT_ON_SCREEN.format(fid)
                return
            value = epic.key
        changes[("custom", fid)] = value

    def _apply(self, issue: Issue, changes: dict[Any, Any]) -> None:
        for name, value in changes.items():
            if isinstance(name, tuple):
                issue.custom[name[1]] = value
            elif name == "labels_ops":
                for verb, label in value:
                    if verb == "add" and label not in issue.labels:
                        issue.labels.append(label)
                    elif verb == "remove" and label in issue.labels:
                        issue.labels.remove(label)
            else:
                setattr(issue, name, value)

    # -- transitions -----------------------------------------------------------------
    def transitions(self, issue: Issue) -> list[Transition]:
        """The transitions offered from the issue's current status."""
        return [t for t in TRANSITIONS if t.source == issue.status]

    def transition(self, issue: Issue, payload: Any, user: User) -> None:
        """Perform a transition offered from the current status (``WriteRefused`` otherwise)."""
        ref = payload.get("transition") if isinstance(payload, dict) else None
        tid = str(ref.get("id", "")) if isinstance(ref, dict) else ""
        chosen = next((t for t in self.transitions(issue) if t.id == tid), None)
        if chosen is None:
            raise WriteRefused([f"Transition id '{tid}' is not valid for this issue."])
        fields = payload.get("fields") or {}
        errors: Errors = {}
        resolution = DEFAULT_RESOLUTION
        for name, value in fields.items():
            if name != "resolution" or not chosen.sets_resolution:
                errors[name] = NOT_ON_SCREEN.format(name)
                continue
            found = fieldrules.resolution_ref(value)
            if found is None:
                errors["resolution"] = f"The resolution '{value}' is not valid."
            else:
                resolution = found
        if errors:
            raise WriteRefused(errors=errors)
        before = self._describe(issue)
        self._touch(issue)
        issue.status = chosen.target
        if chosen.sets_resolution:
            issue.resolution, issue.resolutiondate = resolution, issue.updated
        if chosen.clears_resolution:
            issue.resolution, issue.resolutiondate = None, None
        self._emit(
            "jira:issue_updated", issue, fieldrules.diff(before, self._describe(issue)), user
        )

    def set_state(self, issue: Issue, status: str, resolution: str | None) -> None:
        """Put an issue straight into a status (seeding and tests; no workflow check)."""
        issue.status = status
        issue.resolution = resolution
        issue.resolutiondate = issue.updated if resolution else None

    # -- delete, touch -----------------------------------------------------------------
    def delete(self, issue: Issue, user: User) -> None:
        """Delete an issue (and its sub-tasks, as Jira does)."""
        for child in [i for i in self.issues.values() if i.parent == issue.id]:
            if ISSUE_TYPES[child.issuetype].subtask:
                self.delete(child, user)
        self.issues.pop(issue.id, None)
        self._emit("jira:issue_deleted", issue, [], user)

    def user_edit(self, issue: Issue, user: User) -> None:
        """What a person's edit looks like: the description changes, ``updated`` moves."""
        before = self._describe(issue)
        self._touch(issue)
        text = adf_to_text(issue.description)
        count = text.count("Edited in Jira.") + 1
        issue.description = text_to_adf(f"{text.split(chr(10))[0]}\n" + "Edited in Jira. " * count)
        self._emit(
            "jira:issue_updated", issue, fieldrules.diff(before, self._describe(issue)), user
        )

    def _touch(self, issue: Issue) -> None:
        now = self.now()
        if issue.indexed_at is None or now >= issue.indexed_at:
            issue.previous = issue.snapshot()
        issue.updated = max(now, issue.updated)
        issue.indexed_at = now + self.index_lag

    def _describe(self, issue: Issue) -> dict[str, str | None]:
        return {
            "summary": issue.summary,
            "status": STATUSES[issue.status].name,
            "resolution": RESOLUTIONS[issue.resolution].name if issue.resolution else None,
            "labels": " ".join(issue.labels),
            "duedate": issue.duedate,
            "description": adf_to_text(issue.description) or None,
        }

    def _emit(self, event: str, issue: Issue, items: list[dict[str, Any]], user: User) -> None:
        if self.on_event is not None:
            self.on_event(event, issue, items, user)

    # -- remote links ------------------------------------------------------------------
    def upsert_remote_link(self, issue: Issue, payload: Any) -> tuple[bool, RemoteLink]:
        """Create a remote link, or update the one with the same ``globalId``; True if created."""
        if not isinstance(payload, dict) or not isinstance(payload.get("object"), dict):
            raise WriteRefused(errors={"object": "'object' is required."})
        obj = payload["object"]
        errors: Errors = {}
        if not obj.get("url"):
            errors["url"] = "'url' is required."
        if not obj.get("title"):
            errors["title"] = "'title' is required."
        global_id = payload.get("globalId")
        if global_id is not None and len(str(global_id)) > 255:
            errors["globalId"] = "'globalId' must be 255 characters or fewer."
        if errors:
            raise WriteRefused(errors=errors)
        existing = next(
            (k for k in issue.remote_links if global_id and k.global_id == global_id), None
        )
        self._touch(issue)
        if existing is not None:
            existing.application = payload.get("application") or {}
            existing.relationship = payload.get("relationship")
            existing.object = obj
            return False, existing
        link = RemoteLink(
            self.next_link_id,
            global_id,
            payload.get("application") or {},
            payload.get("relationship"),
            obj,
        )
        self.next_link_id += 1
        issue.remote_links.append(link)
        return True, link

    # -- search ------------------------------------------------------------------------
    def search(self, query: str, user: User, *, reconcile: set[int] | None = None) -> list[Issue]:
        """Issues matching ``query`` as the index sees them, in the query's order."""
        parsed = jql.parse(query)
        zone = ZoneInfo(user.time_zone)
        now = self.now()
        predicate = jql.compile_query(parsed, self._context(zone, now))
        visible = []
        for issue in self.issues.values():
            version = self._indexed(issue, now, reconcile or set())
            if version is not None and predicate(version):
                visible.append(version)
        return _sorted(visible, parsed.order, self)

    def is_unbounded(self, query: str) -> bool:
        """Whether the query has no restriction at all (refused by ``search/jql``)."""
        return jql.parse(query).where is None

    def _indexed(self, issue: Issue, now: datetime, reconcile: set[int]) -> Issue | None:
        if self.flavour == "dc":  # Data Center indexes on the node that wrote, before answering
            return issue
        if issue.id in reconcile or issue.indexed_at is None or now >= issue.indexed_at:
            return issue
        return issue.previous

    def _context(self, zone: ZoneInfo, now: datetime) -> jql.Context:
        customs = self.custom_fields()

        def issue_id(value: str) -> int | None:
            found = self.find(value)
            return found.id if found else None

        def project_ids(value: str) -> str | None:
            project = self.project(value) or next(
                (p for p in self.projects.values() if p.name.lower() == value.lower()), None
            )
            return project.id if project else None

        return jql.Context(
            zone=zone,
            now=now,
            project_ids=project_ids,
            issue_id=issue_id,
            issue_key=lambda iid: self.issues[iid].key,
            status_ids=lambda v: {
                s.id for s in STATUSES.values() if v.lower() in (s.name.lower(), s.id)
            },
            category_of=lambda sid: CATEGORIES[STATUSES[sid].category].key,
            type_ids=lambda v: {
                t.id for t in ISSUE_TYPES.values() if v.lower() in (t.name.lower(), t.id)
            },
            resolution_ids=lambda v: {
                r.id for r in RESOLUTIONS.values() if v.lower() in (r.name.lower(), r.id)
            },
            custom_field=lambda name: customs.get(name.lower()),
            epic_link_field=EPIC_LINK_FIELD if self.flavour == "dc" else None,
        )


def _sorted(
    issues: list[Issue], order: tuple[tuple[str, bool], ...], store: JiraStore
) -> list[Issue]:
    def key_of(issue: Issue) -> tuple[str, int]:
        project = store.projects_by_id[issue.project].key
        return project, int(issue.key.rsplit("-", 1)[1])

    result = sorted(issues, key=lambda i: i.id)
    keys: dict[str, Callable[[Issue], Any]] = {
        "updated": lambda i: i.updated,
        "created": lambda i: i.created,
        "key": key_of,
        "issuekey": key_of,
        "id": lambda i: i.id,
        "duedate": lambda i: i.duedate or "9999-12-31",
        "summary": lambda i: i.summary.lower(),
    }
    effective = order or (("created", True),)
    for name, descending in reversed(effective):
        if name not in keys:
            raise jql.JqlError(f"Not able to sort using field '{name}'.")
        result.sort(key=keys[name], reverse=descending)
    return result
