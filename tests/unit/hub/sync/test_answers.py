"""A create's answer becomes the base of the fields the create did not send.

ZenTao cannot be told a milestone's status when an execution is created: it answers
``wait``. That is the execution's starting point, not a decision, so it becomes the
link's base for ``status`` and the next read finds nothing new; a close made before
that read differs from the base and is taken.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from hub.mapping import load_file
from hub.sync.answers import answered_values
from hub.sync.context import Binding

MAPPING = load_file(Path(__file__).resolve().parents[4] / "mappings" / "zentao" / "milestone.yaml")
BINDING = cast(Binding, SimpleNamespace(mapping=MAPPING, entity="milestone"))
HUB = {
    "contract_id": "7f9c2b1e-0000-4000-8000-000000000001",
    "name": "联盟链平台上线",
    "due_date": date(2026, 10, 31),
    "status": "in_progress",
    "accepted_at": None,
    "project_item": None,
}
SENT = {"contract_id": HUB["contract_id"], "name": HUB["name"], "due_date": "2026-10-31"}


def _execution(**changes: Any) -> dict[str, Any]:
    return {
        "id": 7,
        "project": 3,
        "name": "联盟链平台上线",
        "end": "2026-10-31",
        "status": "wait",
        "closedDate": None,
        **changes,
    }


def test_the_answers_defaults_become_the_base_of_fields_the_hub_holds() -> None:
    assert answered_values(BINDING, _execution(), HUB, SENT) == {"status": "planned"}


def test_gaps_in_the_hub_stay_open_for_the_first_read() -> None:
    base = answered_values(BINDING, _execution(), HUB, SENT)
    assert "project_item" not in base  # the hub has none: the first read fills it
    assert "accepted_at" not in base


def test_fields_the_create_sent_are_not_taken_from_the_answer() -> None:
    base = answered_values(BINDING, _execution(name="别的名字"), HUB, SENT)
    assert "name" not in base


def test_an_answer_the_mapping_cannot_read_gives_nothing() -> None:
    assert answered_values(BINDING, _execution(status="archived"), HUB, SENT) == {}
