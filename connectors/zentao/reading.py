"""Reading without an "updated since" filter: full scans, and incremental scans that stop early.

ZenTao v1 lists cannot be filtered by modification time, so an incremental read
makes two short scans per list and stops each at the cursor:

1. ordered by ``lastEditedDate`` descending, until an edit older than the cursor
   (never-edited records sort last and end the scan too); if the server ignored
   the order (a page not sorted), the scan goes on to the end instead;
2. ordered by ``id`` descending, until an id already seen (new records that were
   never edited have no ``lastEditedDate`` and would escape scan 1).

The changes found are emitted oldest first, each page with a cursor that
``Incremental`` makes safe to resume from. Every ``full_refresh_hours`` the read
is a full one instead, whose last page is ``complete`` (the proof a deletion
sweep needs), catching anything an unusual server let slip.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from connectors.sdk import Capability, Incremental, Page
from connectors.zentao.client import ZentaoClient
from connectors.zentao.config import ZentaoConfig
from connectors.zentao.records import edited_at, modified_at, normalise, to_int, utc_now
from connectors.zentao.streams import Resource


@dataclass(slots=True)
class Cursor:
    """The state a stream checkpoints: watermark, highest id seen, time of the last full read."""

    inc: Incremental
    max_id: int = 0
    full_at: datetime | None = None

    @classmethod
    def from_state(cls, state: Any, overlap: timedelta) -> Cursor | None:
        """Rebuild from ``to_state``; ``None`` (a first read) stays ``None``."""
        if not state:
            return None
        if not isinstance(state, dict) or "inc" not in state:
            raise ValueError(f"not a ZenTao cursor: {state!r}")
        full_at = state.get("full_at")
        return cls(
            Incremental.from_state(state["inc"], overlap=overlap),
            int(state.get("max_id") or 0),
            datetime.fromisoformat(full_at) if full_at else None,
        )

    def to_state(self, now: datetime) -> dict[str, Any]:
        """JSON-ready state with the watermark capped at ``now`` (the run start)."""
        return {
            "inc": self.inc.checkpoint(now),
            "max_id": self.max_id,
            "full_at": self.full_at.isoformat() if self.full_at else None,
        }


class Reader:
    """Full and incremental reads of one connector instance; see the module docstring."""

    def __init__(
        self,
        client: ZentaoClient,
        config: ZentaoConfig,
        *,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.client = client
        self.config = config
        self.zone = ZoneInfo(config.timezone)
        self.overlap = timedelta(seconds=config.overlap_seconds)
        self.now = now

    async def read(self, resource: Resource, since: Any) -> AsyncIterator[Page]:
        """Pages of ``resource`` after ``since``: full on first use, when due, or if not incremental."""
        run_start = self.now()
        cursor = Cursor.from_state(since, self.overlap)
        if (
            cursor is None
            or not resource.stream.can(Capability.READ_INCREMENTAL)
            or self._full_due(cursor, run_start)
        ):
            async for page in self.full(resource, run_start):
                yield page
            return
        async for page in self.incremental(resource, cursor, run_start):
            yield page

    def _full_due(self, cursor: Cursor, now: datetime) -> bool:
        hours = self.config.full_refresh_hours
        if hours <= 0:
            return False
        return cursor.full_at is None or now - cursor.full_at >= timedelta(hours=hours)

    async def parents(self, resource: Resource) -> list[str | None]:
        """The ids a per-parent list is read under (one ``None`` for a global list)."""
        if resource.parent is None:
            return [None]
        if resource.parent == "product":
            return [str(self.config.product)]
        ids: list[str | None] = []
        async for listing in self.client.pages(
            "/executions", "executions", limit=self.config.page_size, params={"status": "all"}
        ):
            ids.extend(str(item.get("id")) for item in listing.items)
        return ids

    async def scan(
        self, resource: Resource, parent: str | None, order: str
    ) -> AsyncIterator[tuple[list[dict[str, Any]], int]]:
        """Raw items of one list in ``order``, page by page, with the total the server reported."""
        path = resource.list_path.format(parent=parent)
        params = {**resource.list_params, "order": order}
        async for listing in self.client.pages(
            path, resource.list_key, limit=self.config.page_size, params=params
        ):
            yield flatten(listing.items), listing.total

    async def full(self, resource: Resource, run_start: datetime) -> AsyncIterator[Page]:
        """Everything, oldest id first; the last page carries the cursor and ``complete``."""
        cursor = Cursor(Incremental(overlap=self.overlap), full_at=run_start)
        seen: set[str] = set()
        stable = True
        held: list[dict[str, Any]] | None = None
        for parent in await self.parents(resource):
            first_total: int | None = None
            listed = 0
            async for items, total in self.scan(resource, parent, "id_asc"):
                first_total = total if first_total is None else first_total
                stable = stable and total == first_total
                listed += len(items)
                records = self._fresh(items, seen, cursor)
                if held is not None:
                    yield Page(held)
                held = records
            stable = stable and (first_total is None or listed >= first_total)
        yield Page(held or [], cursor=cursor.to_state(run_start), complete=stable)

    def _fresh(
        self, items: list[dict[str, Any]], seen: set[str], cursor: Cursor
    ) -> list[dict[str, Any]]:
        records = []
        for item in items:
            record = normalise(item, self.zone)
            rid = str(record.get("id"))
            if rid in seen:
                continue  # a record that moved between pages while we read
            seen.add(rid)
            self._observe(record, cursor)
            records.append(record)
        return records

    def _observe(self, record: dict[str, Any], cursor: Cursor) -> None:
        rid = to_int(record.get("id"))
        if isinstance(rid, int):
            cursor.max_id = max(cursor.max_id, rid)
        modified = modified_at(record, self.zone)
        if modified is not None:
            cursor.inc.observe(str(record.get("id")), modified)

    async def incremental(
        self, resource: Resource, cursor: Cursor, run_start: datetime
    ) -> AsyncIterator[Page]:
        """Changes since the cursor, oldest first (see the module docstring)."""
        since = cursor.inc.since
        changed: dict[str, dict[str, Any]] = {}
        for parent in await self.parents(resource):
            await self._edited_since(resource, parent, since, changed)
            await self._created_after(resource, parent, cursor.max_id, changed)
        fresh = []
        for item in changed.values():
            record = normalise(item, self.zone)
            modified = modified_at(record, self.zone)
            if modified is None or cursor.inc.is_new(str(record.get("id")), modified):
                fresh.append((modified, to_int(record.get("id")), record))
        fresh.sort(key=lambda row: (row[0] is not None, row[0] or run_start, str(row[1])))
        size = self.config.page_size
        if not fresh:
            yield Page([], cursor=cursor.to_state(run_start))
            return
        for start in range(0, len(fresh), size):
            chunk = [record for _, _, record in fresh[start : start + size]]
            for record in chunk:
                self._observe(record, cursor)
            yield Page(chunk, cursor=cursor.to_state(run_start))

    async def _edited_since(
        self,
        resource: Resource,
        parent: str | None,
        since: datetime | None,
        changed: dict[str, dict[str, Any]],
    ) -> None:
        ordered = True
        previous: datetime | None = None
        async for items, _ in self.scan(resource, parent, self.config.incremental_order):
            stop = False
            for item in items:
                edited = edited_at(item, self.zone)
                if edited is not None and previous is not None and edited > previous:
                    ordered = False  # the server ignored the order: read to the end
                previous = edited if edited is not None else previous
                if edited is None or (since is not None and edited < since):
                    stop = True
                    continue
                changed[str(item.get("id"))] = item
            if stop and ordered:
                return

    async def _created_after(
        self,
        resource: Resource,
        parent: str | None,
        max_id: int,
        changed: dict[str, dict[str, Any]],
    ) -> None:
        async for items, _ in self.scan(resource, parent, "id_desc"):
            for item in items:
                rid = to_int(item.get("id"))
                if isinstance(rid, int) and rid <= max_id:
                    return
                changed[str(item.get("id"))] = item


def flatten(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Product plans nest child plans in ``children``; every plan becomes a record of its own."""
    out: list[dict[str, Any]] = []
    for item in items:
        children = item.get("children")
        if isinstance(children, list) and children and all(isinstance(c, dict) for c in children):
            out.append({k: v for k, v in item.items() if k != "children"})
            out.extend(flatten(children))
        else:
            out.append(item)
    return out
