"""What a vendor's answer to a create says about the fields the create did not send.

A record the hub creates remotely takes the vendor's defaults for whatever the create
left out: a new ZenTao execution is ``wait`` (its status cannot be sent), a Jira issue
gets its own resolution date. Those values are the remote record's starting point,
not edits. Kept as the link's base values, the next read finds them unchanged and the
hub keeps its own values (an accepted milestone stays accepted); a person's edit made
in the remote before that read differs from them and is taken as the edit it is.

Only fields the hub already holds a value for are taken: where the hub has nothing,
the base stays empty so the first read fills the gap (a ZenTao execution id becomes
the milestone's project item). Answers that are not whole records (Zoho's upsert
details) simply map to nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.sdk import Record
from hub.mapping import MappingError
from hub.model import CanonicalValidationError, validate
from hub.sync.context import Binding
from hub.sync.values import json_values


def answered_values(
    binding: Binding, answer: Record, canonical: Mapping[str, Any], sent: Mapping[str, Any]
) -> dict[str, Any]:
    """Base values (JSON form) of the unsent fields the hub holds, as the vendor's answer has them."""
    try:
        mapped = binding.mapping.apply_in(answer)
    except MappingError:
        return {}
    wanted = {
        name: value
        for name, value in mapped.values.items()
        if name not in sent and value is not None and canonical.get(name) is not None
    }
    if not wanted:
        return {}
    try:
        model = validate(binding.entity, {**canonical, **wanted})
    except CanonicalValidationError:
        return {}  # the answer is no complete record; the first read settles these fields
    normalised = model.model_dump()
    return json_values({name: normalised[name] for name in wanted})
