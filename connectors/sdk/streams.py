"""The data a connector declares and exchanges: streams, pages, write requests and results.

A connector speaks its vendor's records as plain dicts; these small value types
are the whole vocabulary between a connector and whoever drives it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

JSONValue = Any
Record = dict[str, Any]


class Capability(StrEnum):
    """What a stream (or a whole connector) can do."""

    READ_FULL = "read_full"
    READ_INCREMENTAL = "read_incremental"
    WRITE = "write"
    DELETE = "delete"
    READ_DELETED = "read_deleted"
    WEBHOOKS = "webhooks"
    IDEMPOTENT_CREATE = "idempotent_create"
    """Creates are keyed by the external key at the vendor (upsert, resubmit key), so a
    retried create can never duplicate and the caller may skip its own look-up."""


@dataclass(frozen=True, slots=True)
class Stream:
    """One remote object the connector reads or writes, tied to a canonical entity.

    ``external_key_field`` names the remote field that holds the hub's id (or a
    document number derived from it); it is what makes a retried create find the
    record it already made instead of making a second one.
    """

    name: str
    entity: str
    primary_key: str = "id"
    cursor_field: str | None = None
    capabilities: frozenset[Capability] = frozenset({Capability.READ_FULL})
    write_batch_size: int = 100
    page_size: int = 200
    external_key_field: str | None = None
    alternate_key: str | None = None
    """A second identifier other records reference this one by (a document number)."""
    parent_stream: str | None = None
    description: str = ""

    def can(self, capability: Capability) -> bool:
        """Whether the stream declares ``capability``."""
        return capability in self.capabilities


@dataclass(slots=True)
class Page:
    """A page of remote records and the cursor to checkpoint once it is stored.

    ``cursor`` is opaque JSON owned by the connector; ``None`` means "no new
    checkpoint" (for example a full read whose position cannot be resumed).
    ``complete`` is set on the last page of a read that saw everything, the one
    proof a deletion sweep may rely on.
    """

    records: list[Record]
    cursor: JSONValue = None
    complete: bool = False


@dataclass(frozen=True, slots=True)
class WriteRequest:
    """One record to write: ``remote_id`` set means update, unset means create."""

    data: Record
    external_key: str
    remote_id: str | None = None


WriteStatus = Literal["created", "updated", "unchanged", "failed"]

OUTCOME_UNKNOWN = "outcome_unknown"
"""``WriteResult.vendor_code`` of a create whose fate is unknown (the vendor timed out and
may still make it): the hub keeps its write intent and looks the record up later."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    """The outcome of one ``WriteRequest``, at the same index as the request."""

    index: int
    status: WriteStatus
    remote_id: str | None = None
    error: str | None = None
    vendor_code: str | None = None
    field: str | None = None
    record: Record | None = None
    """The record as the vendor now holds it, when its answer carries it (for hashing)."""

    @property
    def ok(self) -> bool:
        """Whether the record was written (or was already as requested)."""
        return self.status != "failed"


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """A remote field as ``discover()`` reports it, for mapping authors and the UI."""

    name: str
    type: str
    label: str = ""
    required: bool = False
    read_only: bool = False
    options: tuple[str, ...] = ()
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What ``check()`` proved: a one-line message a person can act on."""

    ok: bool
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)
