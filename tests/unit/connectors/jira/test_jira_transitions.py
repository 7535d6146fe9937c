"""Choosing workflow transitions toward a status category."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.jira.transitions import Target, _choose
from connectors.sdk import RecordError


def t(tid: str, category: str) -> dict[str, Any]:
    return {"id": tid, "name": f"to {category}", "to": {"statusCategory": {"key": category}}}


def test_target_parsing() -> None:
    assert Target.parse("done/Done") == Target("done", "Done")
    assert Target.parse(" Indeterminate ") == Target("indeterminate", None)
    with pytest.raises(RecordError, match="category"):
        Target.parse("finished")


def test_reached_compares_resolution_only_when_asked() -> None:
    assert Target("done").reached("done", "Won't Do")
    assert Target("done", "Done").reached("done", "done")
    assert not Target("done", "Done").reached("done", "Delivered")
    assert not Target("new").reached("done", None)


def test_direct_transition_wins() -> None:
    offered = [t("21", "new"), t("31", "done")]
    assert _choose(offered, "indeterminate", Target("done"))["id"] == "31"


def test_walks_toward_the_target_when_no_direct_edge() -> None:
    offered = [t("11", "indeterminate")]
    assert _choose(offered, "new", Target("done"))["id"] == "11"
    assert _choose([t("41", "indeterminate")], "done", Target("new"))["id"] == "41"


def test_same_category_wrong_resolution_steps_out() -> None:
    offered = [t("41", "indeterminate")]
    assert _choose(offered, "done", Target("done", "Delivered"))["id"] == "41"


def test_no_way_forward_is_none() -> None:
    assert _choose([t("21", "new")], "indeterminate", Target("done")) is None
    assert _choose([], "new", Target("done")) is None
