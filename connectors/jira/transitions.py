"""Moving an issue to a status category (and resolution) through its workflow.

Jira changes status only through transitions, their ids differ per workflow,
and only those valid from the current status are offered. So the target is
named the way the mapping names it -- ``"<category>[/<resolution>]"``, e.g.
``done/Done`` -- and the issue is walked there: take an offered transition
into the target category if there is one, else one that moves toward it
(new -> indeterminate -> done), at most ``MAX_HOPS`` times. A done issue whose
resolution must change is reopened and done again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.jira.client import JiraClient
from connectors.sdk import RecordError

ORDER = ("new", "indeterminate", "done")
MAX_HOPS = 4


@dataclass(frozen=True, slots=True)
class Target:
    """A status category and, for done, the resolution wanted (None: whatever)."""

    category: str
    resolution: str | None = None

    @classmethod
    def parse(cls, text: str) -> Target:
        """``"done/Done"`` -> Target("done", "Done"); unknown categories are refused."""
        category, _, resolution = str(text).partition("/")
        category = category.strip().lower()
        if category not in ORDER:
            raise RecordError(
                f"transition_to {text!r}: the category must be one of {', '.join(ORDER)}",
                field="transition_to",
            )
        return cls(category, resolution.strip() or None)

    def reached(self, category: str, resolution: str | None) -> bool:
        """Whether an issue in ``category`` with ``resolution`` is where we want it."""
        if category != self.category:
            return False
        return self.resolution is None or (resolution or "").lower() == self.resolution.lower()


def _state(issue: dict[str, Any]) -> tuple[str, str | None]:
    fields = issue.get("fields") or {}
    category = ((fields.get("status") or {}).get("statusCategory") or {}).get("key", "undefined")
    resolution = (fields.get("resolution") or {}).get("name")
    return str(category), resolution


def _choose(offered: list[dict[str, Any]], here: str, target: Target) -> dict[str, Any] | None:
    def category(t: dict[str, Any]) -> str:
        return str(((t.get("to") or {}).get("statusCategory") or {}).get("key", "undefined"))

    if here == target.category:  # right category, wrong resolution: step out first
        return next((t for t in offered if category(t) != here), None)
    direct = [t for t in offered if category(t) == target.category]
    if direct:
        return direct[0]
    goal = ORDER.index(target.category)
    start = ORDER.index(here) if here in ORDER else 0
    toward = [
        t
        for t in offered
        if category(t) in ORDER and (ORDER.index(category(t)) - start) * (goal - start) > 0
    ]
    return toward[0] if toward else None


async def move(client: JiraClient, issue_id: str, target: Target) -> bool:
    """Walk ``issue_id`` to ``target``; True if it moved, ``RecordError`` if it cannot."""
    moved = False
    for _ in range(MAX_HOPS + 1):
        current = await client.get_record(f"issue/{issue_id}", fields="status,resolution")
        here, resolution = _state(current)
        if target.reached(here, resolution):
            return moved
        offered = (
            await client.get_record(f"issue/{issue_id}/transitions", expand="transitions.fields")
        ).get("transitions") or []
        chosen = _choose(offered, here, target)
        if chosen is None:
            names = ", ".join(str(t.get("name")) for t in offered) or "none"
            raise RecordError(
                f"no transition leads from {here} toward {target.category} (offered: {names})",
                field="transition_to",
            )
        body: dict[str, Any] = {"transition": {"id": str(chosen["id"])}}
        screen = chosen.get("fields") or {}
        if target.resolution and "resolution" in screen:
            to = ((chosen.get("to") or {}).get("statusCategory") or {}).get("key")
            if to == target.category:
                body["fields"] = {"resolution": {"name": target.resolution}}
        await client.post(f"issue/{issue_id}/transitions", body, record=True)
        moved = True
    raise RecordError(
        f"issue {issue_id} did not reach {target.category} within {MAX_HOPS} transitions",
        field="transition_to",
    )
