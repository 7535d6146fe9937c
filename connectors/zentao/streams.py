"""The ZenTao objects the connector reads and writes, declared as data.

Contracts become projects (or product plans) and their milestones executions
(or stories); tasks are the work under an execution, read for progress and
written with verification because ZenTao answers a failed task edit with 200.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.sdk import Capability, Stream

_RW = frozenset({Capability.READ_FULL, Capability.READ_INCREMENTAL, Capability.WRITE})


@dataclass(frozen=True, slots=True)
class Resource:
    """How one stream maps onto ZenTao's REST v1 routes.

    ``list_path`` is a format string whose ``{parent}`` is filled per parent
    record (products for stories and plans, executions for tasks);
    ``create_path``'s placeholders are filled from the record being created.
    ``editable`` are the fields ZenTao's PUT takes, the ones re-read and
    compared after an update.
    """

    stream: Stream
    list_path: str
    list_key: str
    item_path: str
    create_path: str
    parent: str | None = None
    list_params: dict[str, str] = field(default_factory=dict)
    editable: frozenset[str] = frozenset()
    required: tuple[str, ...] = ()
    key_in_code: bool = False
    """The external key is also kept in ``code`` (executions: a unique, list-visible field)."""


PROJECTS = Resource(
    Stream(
        "projects",
        entity="contract",
        cursor_field="lastEditedDate",
        capabilities=_RW,
        write_batch_size=50,
        page_size=100,
        external_key_field="desc",
        description="Projects; a contract's number is the project code (unique in ZenTao).",
    ),
    list_path="/projects",
    list_key="projects",
    item_path="/projects/{id}",
    create_path="/projects",
    list_params={"status": "all"},
    editable=frozenset(
        {"name", "code", "begin", "end", "desc", "PM", "budget", "budgetUnit", "acl", "days"}
    ),
    required=("name", "code", "begin", "end", "products"),
)

PLANS = Resource(
    Stream(
        "plans",
        entity="contract",
        capabilities=frozenset({Capability.READ_FULL, Capability.WRITE}),
        write_batch_size=50,
        page_size=100,
        external_key_field="desc",
        description="Product plans of the configured product; the contract number prefixes the title.",
    ),
    list_path="/products/{parent}/plans",
    list_key="plans",
    item_path="/productplans/{id}",
    create_path="/products/{product}/plans",
    parent="product",
    list_params={"status": "all"},
    editable=frozenset({"title", "begin", "end", "desc"}),
    required=("title",),
)

EXECUTIONS = Resource(
    Stream(
        "executions",
        entity="milestone",
        cursor_field="lastEditedDate",
        capabilities=_RW,
        write_batch_size=50,
        page_size=100,
        external_key_field="desc",
        parent_stream="projects",
        description="Executions (sprints/stages) of a contract's project, one per milestone.",
    ),
    list_path="/executions",
    list_key="executions",
    item_path="/executions/{id}",
    create_path="/projects/{project}/executions",
    list_params={"status": "all"},
    editable=frozenset({"name", "code", "begin", "end", "days", "desc", "PM", "lifetime"}),
    required=("project", "name", "code", "begin", "end", "days"),
    key_in_code=True,
)

STORIES = Resource(
    Stream(
        "stories",
        entity="milestone",
        cursor_field="lastEditedDate",
        capabilities=_RW,
        write_batch_size=50,
        page_size=100,
        external_key_field="sourceNote",
        description="Stories of the configured product; stage tracks delivery of a milestone.",
    ),
    list_path="/products/{parent}/stories",
    list_key="stories",
    item_path="/stories/{id}",
    create_path="/products/{product}/stories",
    parent="product",
    list_params={"status": "allstory"},
    editable=frozenset(
        {"title", "pri", "category", "source", "sourceNote", "estimate", "keywords", "plan"}
    ),
    required=("title", "spec", "pri", "category"),
)

TASKS = Resource(
    Stream(
        "tasks",
        entity="task",
        cursor_field="lastEditedDate",
        capabilities=_RW,
        write_batch_size=50,
        page_size=100,
        external_key_field="desc",
        parent_stream="executions",
        description="Tasks of every execution (work under a milestone; no canonical twin yet).",
    ),
    list_path="/executions/{parent}/tasks",
    list_key="tasks",
    item_path="/tasks/{id}",
    create_path="/executions/{execution}/tasks",
    parent="execution",
    list_params={"status": "all"},
    editable=frozenset(
        {
            "name",
            "type",
            "assignedTo",
            "estimate",
            "left",
            "consumed",
            "story",
            "module",
            "status",
            "estStarted",
            "deadline",
        }
    ),
    required=("name", "assignedTo", "type", "estStarted", "deadline"),
)

RESOURCES: dict[str, Resource] = {
    r.stream.name: r for r in (PROJECTS, EXECUTIONS, PLANS, STORIES, TASKS)
}
STREAMS: tuple[Stream, ...] = tuple(r.stream for r in RESOURCES.values())
