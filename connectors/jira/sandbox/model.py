"""The simulated Jira site's data: catalogue (types, statuses, workflow, fields) and issues.

Ids and shapes follow what real sites answer (numeric-string ids, ``DLV-1`` keys,
status categories ``new``/``indeterminate``/``done`` with their real ids and
colours), because clients key on those shapes. Everything here is plain data;
behaviour lives in ``store.py``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Literal

Flavour = Literal["cloud", "dc"]


@dataclass(frozen=True, slots=True)
class StatusCategory:
    """One of Jira's fixed status categories."""

    id: int
    key: str
    name: str
    colour: str


CATEGORIES = {
    "undefined": StatusCategory(1, "undefined", "No Category", "medium-gray"),
    "new": StatusCategory(2, "new", "To Do", "blue-gray"),
    "done": StatusCategory(3, "done", "Done", "green"),
    "indeterminate": StatusCategory(4, "indeterminate", "In Progress", "yellow"),
}


@dataclass(frozen=True, slots=True)
class Status:
    """A workflow status; its category is what clients should key on, not its name."""

    id: str
    name: str
    category: str
    description: str = ""


STATUSES = {
    "10000": Status("10000", "To Do", "new"),
    "3": Status("3", "In Progress", "indeterminate", "This issue is being actively worked on."),
    "10001": Status("10001", "Done", "done"),
}
INITIAL_STATUS = "10000"


@dataclass(frozen=True, slots=True)
class Transition:
    """A workflow edge, offered only from its ``source`` status."""

    id: str
    name: str
    source: str
    target: str
    sets_resolution: bool = False
    clears_resolution: bool = False


# A classic-style workflow: To Do -> In Progress -> Done, with stop and reopen.
# To Do cannot jump to Done, so a client that needs Done must walk two edges.
TRANSITIONS = (
    Transition("11", "Start work", "10000", "3"),
    Transition("21", "Stop work", "3", "10000"),
    Transition("31", "Done", "3", "10001", sets_resolution=True),
    Transition("41", "Reopen", "10001", "3", clears_resolution=True),
)


@dataclass(frozen=True, slots=True)
class Resolution:
    """How a done issue was finished."""

    id: str
    name: str
    description: str


RESOLUTIONS = {
    "10000": Resolution("10000", "Done", "Work has been completed on this issue."),
    "10001": Resolution("10001", "Won't Do", "This issue won't be actioned."),
    "10002": Resolution("10002", "Duplicate", "The problem is a duplicate of an existing issue."),
    "10003": Resolution("10003", "Delivered", "Delivered to the customer, acceptance pending."),
}
DEFAULT_RESOLUTION = "10000"


@dataclass(frozen=True, slots=True)
class IssueType:
    """An issue type; ``hierarchy`` 1 = epic, 0 = standard, -1 = sub-task."""

    id: str
    name: str
    hierarchy: int
    description: str

    @property
    def subtask(self) -> bool:
        """Whether issues of this type live under a parent as sub-tasks."""
        return self.hierarchy < 0


ISSUE_TYPES = {
    "10000": IssueType("10000", "Epic", 1, "A big user story that needs to be broken down."),
    "10001": IssueType("10001", "Story", 0, "Functionality or a feature expressed as a goal."),
    "10002": IssueType("10002", "Task", 0, "A small, distinct piece of work."),
    "10003": IssueType("10003", "Sub-task", -1, "A small piece of work that's part of a task."),
}

# Data Center's Jira Software fields: the epic of a standard issue is the "Epic
# Link" field (holding the epic's key), and an epic needs an "Epic Name".
EPIC_LINK_FIELD = "customfield_10100"
EPIC_NAME_FIELD = "customfield_10101"
CONTRACT_FIELD = "customfield_10050"


@dataclass(frozen=True, slots=True)
class FieldDef:
    """A field as ``GET /field`` lists it."""

    id: str
    name: str
    schema_type: str
    custom: str | None = None
    items: str | None = None
    orderable: bool = True
    searchable: bool = True

    @property
    def is_custom(self) -> bool:
        """Whether the field is a ``customfield_NNNNN``."""
        return self.id.startswith("customfield_")

    def clause_names(self) -> list[str]:
        """JQL names of the field (``cf[N]`` and the display name for custom fields)."""
        if self.is_custom:
            return [f"cf[{self.id.removeprefix('customfield_')}]", self.name]
        aliases = {"issuetype": ["issuetype", "type"], "duedate": ["due", "duedate"]}
        return aliases.get(self.id, [self.id])


SYSTEM_FIELDS = (
    FieldDef("summary", "Summary", "string"),
    FieldDef("description", "Description", "string"),
    FieldDef("issuetype", "Issue Type", "issuetype"),
    FieldDef("project", "Project", "project"),
    FieldDef("status", "Status", "status", orderable=False),
    FieldDef("resolution", "Resolution", "resolution"),
    FieldDef("resolutiondate", "Resolved", "datetime", orderable=False),
    FieldDef("labels", "Labels", "array", items="string"),
    FieldDef("duedate", "Due date", "date"),
    FieldDef("parent", "Parent", "issuelink"),
    FieldDef("created", "Created", "datetime", orderable=False),
    FieldDef("updated", "Updated", "datetime", orderable=False),
    FieldDef("priority", "Priority", "priority"),
    FieldDef("assignee", "Assignee", "user"),
    FieldDef("reporter", "Reporter", "user"),
    FieldDef("fixVersions", "Fix versions", "array", items="version"),
)
COMMON_CUSTOM_FIELDS = (
    FieldDef(
        CONTRACT_FIELD,
        "Contract number",
        "string",
        custom="com.atlassian.jira.plugin.system.customfieldtypes:textfield",
    ),
)
DC_CUSTOM_FIELDS = (
    FieldDef(EPIC_LINK_FIELD, "Epic Link", "any", custom="com.pyxis.greenhopper.jira:gh-epic-link"),
    FieldDef(
        EPIC_NAME_FIELD, "Epic Name", "string", custom="com.pyxis.greenhopper.jira:gh-epic-label"
    ),
)


def field_catalogue(flavour: Flavour) -> tuple[FieldDef, ...]:
    """Every field the site knows, in ``GET /field`` order."""
    extra = DC_CUSTOM_FIELDS if flavour == "dc" else ()
    return SYSTEM_FIELDS + COMMON_CUSTOM_FIELDS + extra


@dataclass(slots=True)
class User:
    """An account: Cloud knows it by ``account_id``, Data Center by ``name``/``key``."""

    account_id: str
    name: str
    display_name: str
    email: str
    time_zone: str
    api_token: str
    pat: str


@dataclass(slots=True)
class Project:
    """A project issues belong to."""

    id: str
    key: str
    name: str
    next_number: int = 1


@dataclass(slots=True)
class RemoteLink:
    """A link from an issue to an object in another system, upserted by ``global_id``."""

    id: int
    global_id: str | None
    application: dict[str, Any]
    relationship: str | None
    object: dict[str, Any]


@dataclass(slots=True)
class Issue:
    """One issue as the site stores it (description as an ADF document or None)."""

    id: int
    key: str
    project: str
    issuetype: str
    summary: str
    created: datetime
    updated: datetime
    status: str = INITIAL_STATUS
    description: dict[str, Any] | None = None
    labels: list[str] = field(default_factory=list)
    duedate: str | None = None
    parent: int | None = None
    resolution: str | None = None
    resolutiondate: datetime | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)
    remote_links: list[RemoteLink] = field(default_factory=list)
    reporter: str = ""
    indexed_at: datetime | None = None
    """When search sees this version; before that it sees ``previous``."""
    previous: Issue | None = None

    def snapshot(self) -> Issue:
        """A frozen copy for the search index to serve while the new version is indexed."""
        clone = copy.deepcopy(self)
        clone.previous = None
        return clone


def jira_timestamp(value: datetime, zone: tzinfo) -> str:
    """``2025-06-24T19:24:50.000+0800``: milliseconds, offset without a colon."""
    local = value.astimezone(zone)
    return (
        local.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{local.microsecond // 1000:03d}"
        + (local.strftime("%z"))
    )
