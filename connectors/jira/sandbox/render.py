"""Issues and catalogue objects in the JSON shapes Jira answers with, per API version.

v3 (Cloud) carries descriptions as Atlassian Document Format; v2 (Data Center,
and Cloud's v2 paths) as plain strings. Every ``self`` points back at the
sandbox's own base URL, because clients such as ``jira`` PUT to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from connectors.jira.sandbox.model import (
    CATEGORIES,
    ISSUE_TYPES,
    RESOLUTIONS,
    STATUSES,
    Flavour,
    Issue,
    IssueType,
    Project,
    Status,
    User,
    field_catalogue,
    jira_timestamp,
)

if TYPE_CHECKING:
    from connectors.jira.sandbox.store import JiraStore


def text_to_adf(text: str) -> dict[str, Any]:
    """Plain text as an ADF document, one paragraph per line."""
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}] if line else []}
        for line in text.split("\n")
    ]
    return {"type": "doc", "version": 1, "content": paragraphs}


def adf_to_text(doc: dict[str, Any] | None) -> str:
    """The text of an ADF document, paragraphs joined by newlines."""
    if not doc:
        return ""
    blocks = []
    for block in doc.get("content", []):
        blocks.append("".join(_inline_text(block.get("content", []))))
    return "\n".join(blocks)


def _inline_text(nodes: Iterable[dict[str, Any]]) -> Iterable[str]:
    for node in nodes:
        if node.get("type") == "text":
            yield str(node.get("text", ""))
        elif node.get("type") == "hardBreak":
            yield "\n"
        else:
            yield from _inline_text(node.get("content", []))


def is_adf(value: Any) -> bool:
    """Whether ``value`` is shaped like an ADF document (what v3 requires)."""
    return (
        isinstance(value, dict)
        and value.get("type") == "doc"
        and value.get("version") == 1
        and isinstance(value.get("content"), list)
    )


@dataclass(slots=True)
class View:
    """Who is looking and through which door: base URL, API version, flavour, user."""

    base_url: str
    version: str
    flavour: Flavour
    user: User
    zone: tzinfo

    @property
    def api(self) -> str:
        """Base of this API version's URLs."""
        return f"{self.base_url}/rest/api/{self.version}"

    @property
    def adf(self) -> bool:
        """Whether rich text is ADF on this door (v3 only)."""
        return self.version == "3"


def category_json(key: str, view: View) -> dict[str, Any]:
    """A status category."""
    cat = CATEGORIES[key]
    return {
        "self": f"{view.api}/statuscategory/{cat.id}",
        "id": cat.id,
        "key": cat.key,
        "colorName": cat.colour,
        "name": cat.name,
    }


def status_json(status: Status, view: View) -> dict[str, Any]:
    """A status with its category."""
    return {
        "self": f"{view.api}/status/{status.id}",
        "description": status.description,
        "iconUrl": f"{view.base_url}/images/icons/statuses/generic.png",
        "name": status.name,
        "id": status.id,
        "statusCategory": category_json(status.category, view),
    }


def issuetype_json(itype: IssueType, view: View) -> dict[str, Any]:
    """An issue type (``hierarchyLevel`` only on Cloud, as there)."""
    body: dict[str, Any] = {
        "self": f"{view.api}/issuetype/{itype.id}",
        "id": itype.id,
        "description": itype.description,
        "iconUrl": f"{view.base_url}/images/icons/issuetypes/{itype.name.lower()}.svg",
        "name": itype.name,
        "subtask": itype.subtask,
    }
    if view.flavour == "cloud":
        body["hierarchyLevel"] = itype.hierarchy
    return body


def project_json(project: Project, view: View, *, expand: str = "") -> dict[str, Any]:
    """A project; ``expand=issueTypes`` lists its issue types."""
    body: dict[str, Any] = {
        "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
        "self": f"{view.api}/project/{project.id}",
        "id": project.id,
        "key": project.key,
        "name": project.name,
        "projectTypeKey": "software",
    }
    if view.flavour == "cloud":
        body.update({"simplified": False, "style": "classic", "isPrivate": False})
    if "issueTypes" in expand:
        body["issueTypes"] = [issuetype_json(t, view) for t in ISSUE_TYPES.values()]
    return body


def user_json(user: User, view: View) -> dict[str, Any]:
    """A user reference: accountId on Cloud, name/key on Data Center."""
    body: dict[str, Any] = {
        "displayName": user.display_name,
        "active": True,
        "timeZone": user.time_zone,
    }
    if view.flavour == "cloud":
        body.update(
            {
                "self": f"{view.api}/user?accountId={user.account_id}",
                "accountId": user.account_id,
                "accountType": "atlassian",
                "emailAddress": user.email,
            }
        )
    else:
        body.update(
            {
                "self": f"{view.api}/user?username={user.name}",
                "name": user.name,
                "key": user.name.lower(),
                "emailAddress": user.email,
            }
        )
    return body


def field_list_json(flavour: Flavour) -> list[dict[str, Any]]:
    """``GET /field``: every field with clause names and schema."""
    out = []
    for f in field_catalogue(flavour):
        schema: dict[str, Any] = {"type": f.schema_type}
        if f.is_custom:
            schema.update({"custom": f.custom, "customId": int(f.id.split("_")[1])})
        else:
            schema["system"] = f.id
        if f.items:
            schema["items"] = f.items
        out.append(
            {
                "id": f.id,
                "key": f.id,
                "name": f.name,
                "custom": f.is_custom,
                "orderable": f.orderable,
                "navigable": True,
                "searchable": f.searchable,
                "clauseNames": f.clause_names(),
                "schema": schema,
            }
        )
    return out


def issue_fields(issue: Issue, view: View, store: JiraStore) -> dict[str, Any]:
    """Every field of ``issue`` as this view renders it."""
    status = STATUSES[issue.status]
    reporter = store.users.get(issue.reporter) or view.user
    fields: dict[str, Any] = {
        "summary": issue.summary,
        "description": (
            (issue.description if view.adf else adf_to_text(issue.description) or None)
            if issue.description
            else None
        ),
        "issuetype": issuetype_json(ISSUE_TYPES[issue.issuetype], view),
        "project": project_json(store.projects_by_id[issue.project], view),
        "status": status_json(status, view),
        "resolution": _resolution(issue, view),
        "resolutiondate": (
            jira_timestamp(issue.resolutiondate, view.zone) if issue.resolutiondate else None
        ),
        "labels": list(issue.labels),
        "duedate": issue.duedate,
        "created": jira_timestamp(issue.created, view.zone),
        "updated": jira_timestamp(issue.updated, view.zone),
        "priority": {"self": f"{view.api}/priority/3", "id": "3", "name": "Medium"},
        "assignee": None,
        "reporter": user_json(reporter, view),
        "fixVersions": [],
    }
    if issue.parent is not None and issue.parent in store.issues:
        parent = store.issues[issue.parent]
        fields["parent"] = {
            "id": str(parent.id),
            "key": parent.key,
            "self": f"{view.api}/issue/{parent.id}",
            "fields": {
                "summary": parent.summary,
                "status": status_json(STATUSES[parent.status], view),
                "issuetype": issuetype_json(ISSUE_TYPES[parent.issuetype], view),
            },
        }
    for f in field_catalogue(view.flavour):
        if f.is_custom:
            fields[f.id] = issue.custom.get(f.id)
    return fields


def _resolution(issue: Issue, view: View) -> dict[str, Any] | None:
    if issue.resolution is None:
        return None
    res = RESOLUTIONS[issue.resolution]
    return {
        "self": f"{view.api}/resolution/{res.id}",
        "id": res.id,
        "description": res.description,
        "name": res.name,
    }


def select_fields(all_fields: dict[str, Any], wanted: list[str] | None) -> dict[str, Any] | None:
    """Apply a ``fields`` parameter: names, ``*all``, ``*navigable``, ``-name``; None = no fields."""
    if wanted is None:
        return None
    chosen: set[str] = set()
    excluded = {w[1:] for w in wanted if w.startswith("-")}
    for name in wanted:
        if name in ("*all", "*navigable"):
            chosen |= set(all_fields)
        elif not name.startswith("-"):
            chosen.add(name)
    return {k: v for k, v in all_fields.items() if k in chosen and k not in excluded}


def issue_json(
    issue: Issue,
    view: View,
    store: JiraStore,
    *,
    fields: list[str] | None,
    properties: list[str] | None = None,
) -> dict[str, Any]:
    """An issue as GET/search return it; ``fields=None`` gives the bare id/key/self."""
    body: dict[str, Any] = {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "id": str(issue.id),
        "self": f"{view.api}/issue/{issue.id}",
        "key": issue.key,
    }
    selected = select_fields(issue_fields(issue, view, store), fields)
    if selected is not None:
        body["fields"] = selected
    if properties:
        wanted = set(issue.properties) if "*all" in properties else set(properties)
        body["properties"] = {k: v for k, v in issue.properties.items() if k in wanted}
    return body
