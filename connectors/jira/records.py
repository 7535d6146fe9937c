"""Issues as the connector hands them on: vendor-shaped, times aware, epics uniform.

A record stays Jira's issue JSON (``id``, ``key``, ``fields``...), with three
normalisations so one mapping serves Cloud and Data Center: timestamps become
ISO 8601 with a colon offset (``+0800`` is not ISO and some parsers refuse it),
a Data Center child's "Epic Link" is mirrored into ``fields.parent`` as Cloud
has it, and an ADF description gains a plain-text twin in
``fields.description_text``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from connectors.sdk import Record

SHANGHAI = ZoneInfo("Asia/Shanghai")
TIME_FIELDS = ("created", "updated", "resolutiondate")


def parse_time(value: str) -> datetime:
    """Jira's ``2025-06-24T19:24:50.000+0000`` (or ISO) as an aware datetime.

    A value without an offset is read as Asia/Shanghai, the hub's business zone.
    """
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


def adf_text(doc: Any) -> str:
    """The plain text of an Atlassian Document Format document."""
    if not isinstance(doc, dict):
        return "" if doc is None else str(doc)
    blocks = doc.get("content") or []
    return "\n".join("".join(_inline(block.get("content") or [])) for block in blocks)


def _inline(nodes: Iterable[Any]) -> Iterable[str]:
    for node in nodes:
        if not isinstance(node, dict):
            continue
        if node.get("type") == "text":
            yield str(node.get("text", ""))
        elif node.get("type") == "hardBreak":
            yield "\n"
        else:
            yield from _inline(node.get("content") or [])


def text_adf(text: str) -> dict[str, Any]:
    """Plain text as an ADF document (Cloud v3 refuses strings in rich-text fields)."""
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": line}] if line else []}
            for line in text.split("\n")
        ],
    }


def normalise(issue: dict[str, Any], *, epic_link_field: str | None = None) -> Record:
    """The record handed on for one issue (see the module docstring)."""
    record = dict(issue)
    fields = dict(record.get("fields") or {})
    for name in TIME_FIELDS:
        if isinstance(fields.get(name), str):
            fields[name] = parse_time(fields[name]).isoformat()
    description = fields.get("description")
    if isinstance(description, dict):
        fields["description_text"] = adf_text(description)
    elif "description" in fields:
        fields["description_text"] = description or ""
    if epic_link_field and fields.get(epic_link_field) and not fields.get("parent"):
        fields["parent"] = {"key": fields[epic_link_field]}
    record["fields"] = fields
    return record


def modified_at(record: Record) -> datetime:
    """When the issue last changed (its ``updated``), aware."""
    return parse_time(str(record["fields"]["updated"]))
