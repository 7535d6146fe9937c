"""Field rules of create and edit: what Jira accepts for each system field, and its words.

Each checker either records the change or the per-field message Jira answers
with in its 400 envelope (``errors``), so a bulk create can report every
element's problems by position.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from connectors.jira.sandbox.model import RESOLUTIONS
from connectors.jira.sandbox.render import is_adf, text_to_adf

Errors = dict[str, str]
NOT_ON_SCREEN = "Field '{}' cannot be set. It is not on the appropriate screen, or unknown."


def summary(value: Any, changes: dict[Any, Any], errors: Errors) -> None:
    """Required, one line, at most 255 characters."""
    if not isinstance(value, str) or not value.strip():
        errors["summary"] = "You must specify a summary of the issue."
    elif len(value) > 255:
        errors["summary"] = "Summary must be less than 255 characters."
    elif "\n" in value:
        errors["summary"] = "The summary is invalid because it contains newline characters."
    else:
        changes["summary"] = value


def description(value: Any, adf: bool, changes: dict[Any, Any], errors: Errors) -> None:
    """An ADF document on v3, a string on v2 (stored as ADF either way)."""
    if value is None:
        changes["description"] = None
    elif adf and not is_adf(value):
        errors["description"] = (
            "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
        )
    elif not adf and not isinstance(value, str):
        errors["description"] = "Operation value must be a string"
    else:
        changes["description"] = value if adf else (text_to_adf(value) if value else None)


def labels(value: Any, changes: dict[Any, Any], errors: Errors) -> None:
    """A list of strings without spaces (duplicates dropped)."""
    if value is None:
        changes["labels"] = []
        return
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors["labels"] = "Operation value must be a list of strings."
        return
    for label in value:
        if re.search(r"\s", label) or not label:
            errors["labels"] = f"The label '{label}' contains spaces which is invalid."
            return
        if len(label) > 255:
            errors["labels"] = "The label must be less than 255 characters."
            return
    changes["labels"] = list(dict.fromkeys(value))


def duedate(value: Any, changes: dict[Any, Any], errors: Errors) -> None:
    """A ``yyyy-MM-dd`` calendar date, or None to clear it."""
    if value is None:
        changes["duedate"] = None
        return
    try:
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        errors["duedate"] = f"Error parsing date string: {value}"
        return
    changes["duedate"] = value


def resolution_ref(value: Any) -> str | None:
    """The resolution id a ``{"name"|"id": ...}`` reference names, if any."""
    if not isinstance(value, dict):
        return None
    for res in RESOLUTIONS.values():
        if (
            str(value.get("id", "")) == res.id
            or str(value.get("name", "")).lower() == res.name.lower()
        ):
            return res.id
    return None


def diff(before: dict[str, str | None], after: dict[str, str | None]) -> list[dict[str, Any]]:
    """Changelog items (as webhooks carry them) between two descriptions of an issue."""
    items = []
    for name, old in before.items():
        new = after[name]
        if old != new:
            items.append(
                {
                    "field": name,
                    "fieldtype": "jira",
                    "fieldId": name,
                    "from": None,
                    "fromString": old,
                    "to": None,
                    "toString": new,
                }
            )
    return items
