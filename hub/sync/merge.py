"""The three-way merge of one record.

Its inputs: what the remote says, what the hub holds, and what the remote held
when we last synced (the link's values).

Per field: changed only remotely -> take it; changed only in the hub -> keep it
(push will send it); changed on both sides to different values -> the owner
settles it, or the pipeline's policy (newest wins, or hold for a person). The
first time two systems' records are linked their differing values are not a
race between edits, so ownership settles them whatever the policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hub.settings import ConflictPolicy

_ABSENT = object()


@dataclass(slots=True)
class MergeResult:
    """Fields to take from the remote, and fields held as conflicts (with their values)."""

    apply: set[str] = field(default_factory=set)
    held: dict[str, dict[str, Any]] = field(default_factory=dict)


def merge(
    incoming: dict[str, Any],
    hub: dict[str, Any] | None,
    base: dict[str, Any] | None,
    *,
    owned_here: Callable[[str], bool | None],
    policy: ConflictPolicy,
    remote_is_newer: bool,
    fields: Iterable[str] | None = None,
) -> MergeResult:
    """Decide, field by field, in JSON form (see module docstring).

    ``owned_here(field)`` answers True when this remote owns the field, False when
    another system (or the hub) does, None when nobody does.
    """
    result = MergeResult()
    if hub is None:  # a new record: everything comes from the remote
        result.apply.update(incoming)
        return result
    for name in fields if fields is not None else incoming:
        remote = incoming.get(name)
        current = hub.get(name)
        if remote == current:
            continue
        previous = base.get(name, _ABSENT) if base is not None else _ABSENT
        if previous is _ABSENT and (current is None or remote is None):
            # Never synced before: an empty side is a gap to fill, not a competing edit.
            if current is None:
                result.apply.add(name)
            continue
        remote_changed = previous is _ABSENT or remote != previous
        hub_changed = previous is _ABSENT or current != previous
        if not remote_changed:
            continue  # the hub moved on; push will carry it
        if not hub_changed:
            result.apply.add(name)
            continue
        never_synced = previous is _ABSENT  # first link: two pre-existing values, not a race
        if policy is ConflictPolicy.HOLD and not never_synced:
            result.held[name] = {"hub": current, "remote": remote, "base": previous}
            continue
        by_owner = policy is ConflictPolicy.OWNER_WINS or never_synced
        owner = owned_here(name) if by_owner else None
        if owner is None:
            owner = remote_is_newer
        if owner:
            result.apply.add(name)
    return result
