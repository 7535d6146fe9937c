"""The streams: contracts as epics, milestones as their child issues."""

from __future__ import annotations

from connectors.sdk import Capability, Stream

_CAPS = frozenset(
    {
        Capability.READ_FULL,
        Capability.READ_INCREMENTAL,
        Capability.WRITE,
        Capability.WEBHOOKS,
    }
)

EPICS = Stream(
    name="epics",
    entity="contract",
    primary_key="id",
    cursor_field="fields.updated",
    capabilities=_CAPS,
    write_batch_size=50,
    page_size=100,
    external_key_field="fields.labels",
    description="A contract as an Epic (or the configured type) labelled with its number.",
)

MILESTONES = Stream(
    name="milestones",
    entity="milestone",
    primary_key="id",
    cursor_field="fields.updated",
    capabilities=_CAPS,
    write_batch_size=50,
    page_size=100,
    external_key_field="fields.labels",
    parent_stream="epics",
    description="A contract milestone as a child issue of the contract's epic, with a due date.",
)

STREAMS = (EPICS, MILESTONES)
