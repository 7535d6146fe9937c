"""The first read-back of a record the hub created: vendor defaults are not edits.

A milestone accepted in the CRM and created as a ZenTao execution comes back
``wait`` (ZenTao cannot be told a status on create); ZenTao owns the status, but
that ``wait`` is ZenTao's default, not a person's decision, so the hub must keep
``accepted`` (and not send ``planned`` back to the CRM).
"""

from __future__ import annotations

from hub.settings import ConflictPolicy
from hub.sync.merge import merge


def _zentao_owns(field: str) -> bool | None:
    return True if field in ("status", "accepted_at") else None


def test_a_default_on_a_created_record_does_not_overwrite_the_hub() -> None:
    decision = merge(
        {"name": "上线验收", "status": "planned", "accepted_at": None, "project_item": "zt:7"},
        {"name": "上线验收", "status": "accepted", "accepted_at": "2026-03-31T09:30:00+00:00"},
        {"name": "上线验收"},  # what the create sent
        owned_here=_zentao_owns,
        policy=ConflictPolicy.OWNER_WINS,
        remote_is_newer=True,
        created_here=True,
    )
    assert decision.apply == {"project_item"}  # a gap the hub had is still filled
    assert decision.held == {}


def test_a_sent_field_the_vendor_changed_still_counts_as_an_edit() -> None:
    decision = merge(
        {"name": "上线验收（二期）", "status": "planned"},
        {"name": "上线验收", "status": "planned"},
        {"name": "上线验收"},
        owned_here=lambda field: True,
        policy=ConflictPolicy.OWNER_WINS,
        remote_is_newer=True,
        created_here=True,
    )
    assert decision.apply == {"name"}


def test_records_linked_by_matching_are_still_settled_by_the_owner() -> None:
    decision = merge(
        {"status": "planned"},
        {"status": "accepted"},
        {},
        owned_here=_zentao_owns,
        policy=ConflictPolicy.HOLD,
        remote_is_newer=False,
    )
    assert decision.apply == {"status"}
