"""SeenIds: the ids a full read saw, on disk; the sweep asks which links it never saw."""

from __future__ import annotations

from pathlib import Path

from hub.sync.seen import SeenIds


def test_missing_returns_the_ids_never_noted_in_their_order() -> None:
    with SeenIds() as seen:
        seen.update(["1", "2", "3"])
        seen.update(["3", "5"])  # a record read twice counts once
        assert seen.missing(["5", "4", "1", "9", "2"]) == ["4", "9"]


def test_missing_works_past_one_query_batch() -> None:
    with SeenIds() as seen:
        seen.update(str(n) for n in range(0, 3000, 2))
        assert seen.missing([str(n) for n in range(3000)]) == [str(n) for n in range(1, 3000, 2)]


def test_the_file_is_removed_on_close() -> None:
    seen = SeenIds()
    folder = Path(seen._dir.name)
    assert folder.exists()
    seen.close()
    assert not folder.exists()
