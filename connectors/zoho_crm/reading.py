"""Reading a module: keyset paging on Modified_Time, page tokens past 2,000, subform expansion.

Every list call is ``sort_by=Modified_Time&sort_order=asc`` with
``If-Modified-Since`` at the watermark. After each page the reader restarts the
query at the new watermark (page 1), so a record edited while we page only
moves forward and is never skipped, and the 2,000-record page-number cap is
rarely reached. Only when a whole page shares the watermark second (a bulk
import) does restarting gain nothing; then the reader walks on with page numbers
and, past 2,000 records, with ``next_page_token``. Zoho's filter includes the
boundary second, so records already read at the watermark second come back and
are dropped by the cursor's tie rule (``Incremental``); a record edited in that
same second after we read it has a new id/time pair only if its time changed,
which at one-second resolution is the one case no client can see.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from connectors.sdk import Incremental, MalformedResponse, Page, Record, record_digest
from connectors.zoho_crm.client import ZohoApi
from connectors.zoho_crm.streams import ModuleSpec

DISCRETE_LIMIT = 2000
"""Records reachable with ``page``/``per_page`` before Zoho insists on ``page_token``."""
SHANGHAI = ZoneInfo("Asia/Shanghai")


def parse_time(value: Any, *, what: str = "Modified_Time") -> datetime:
    """A Zoho datetime (ISO-8601 with the user's offset) as an aware datetime."""
    if not isinstance(value, str):
        raise ValueError(f"{what} missing or not a string: {value!r}")
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


Expand = Callable[[list[Record]], Awaitable[list[Record]]]


async def _identity(records: list[Record]) -> list[Record]:
    return records


class ModuleReader:
    """One read of one module; see the module docstring."""

    def __init__(
        self,
        api: ZohoApi,
        spec: ModuleSpec,
        *,
        page_size: int,
        stream: str,
        expand: Expand = _identity,
    ) -> None:
        self.api = api
        self.spec = spec
        self.page_size = page_size
        self.stream = stream
        self.expand = expand

    async def pages(self, since: Any) -> AsyncIterator[Page]:
        """Pages after cursor ``since``; the last page of a full read says ``complete``."""
        state = Incremental.from_state(since)
        full = since is None
        started = datetime.now(UTC)
        query_since = state.since
        page, token = 1, None
        path = self.api.path(self.spec.module)
        while True:
            params: dict[str, Any] = {
                "fields": ",".join(self.spec.fields),
                "per_page": self.page_size,
                "sort_by": "Modified_Time",
                "sort_order": "asc",
            }
            params.update({"page_token": token} if token else {"page": page})
            headers = {"If-Modified-Since": query_since.isoformat()} if query_since else None
            body = await self.api.call("GET", path, params=params, headers=headers)
            if body is None:
                yield Page([], cursor=state.checkpoint(started), complete=full)
                return
            records, info = self._envelope(body, path)
            fresh = []
            for record in records:
                rid, modified = self._key(record, path)
                digest = record_digest(record)  # Zoho's clock ticks in seconds
                if state.is_new(rid, modified, digest):
                    fresh.append(record)
                state.observe(rid, modified, digest)
            more = bool(info.get("more_records"))
            cursor = state.checkpoint(started)
            yield Page(await self.expand(fresh), cursor=cursor, complete=full and not more)
            if not more:
                return
            if len(state.seen) < self.page_size and state.since != query_since:
                query_since, page, token = state.since, 1, None  # keyset: restart at watermark
            elif token or page * self.page_size >= DISCRETE_LIMIT:
                token = info.get("next_page_token")
                if not isinstance(token, str) or not token:
                    raise MalformedResponse(
                        "more_records is true past the page-number limit but no next_page_token",
                        connector=self.api.connector,
                        stream=self.stream,
                        endpoint=path,
                    )
            else:
                page += 1

    def _envelope(self, body: dict[str, Any], path: str) -> tuple[list[Record], dict[str, Any]]:
        data, info = body.get("data"), body.get("info")
        if not isinstance(data, list) or not isinstance(info, dict):
            raise MalformedResponse(
                "list response lacks a data array or an info object",
                connector=self.api.connector,
                stream=self.stream,
                endpoint=path,
            )
        return data, info

    def _key(self, record: Any, path: str) -> tuple[str, datetime]:
        try:
            return str(record["id"]), parse_time(record.get("Modified_Time"))
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedResponse(
                f"record without a usable id/Modified_Time: {exc}",
                connector=self.api.connector,
                stream=self.stream,
                endpoint=path,
            ) from None


async def fetch_details(api: ZohoApi, module: str, records: list[Record]) -> list[Record]:
    """Each record fetched alone (subforms and line items come only that way), in order.

    A record deleted between the list call and its fetch (204) is left out.
    """

    async def one(record: Record) -> Record | None:
        body = await api.call("GET", api.path(module, str(record["id"])))
        if body is None:
            return None
        data = body.get("data")
        if not isinstance(data, list) or not data or not isinstance(data[0], dict):
            raise MalformedResponse(
                "single-record response lacks data[0]",
                connector=api.connector,
                endpoint=api.path(module, str(record["id"])),
            )
        return data[0]

    fetched = await asyncio.gather(*(one(r) for r in records))
    return [r for r in fetched if r is not None]


def subform_rows(parents: list[Record], field: str, name_field: str = "Name") -> list[Record]:
    """The rows of ``field`` in each parent, each carrying ``Parent_Id`` and the parent's time."""
    rows: list[Record] = []
    for parent in parents:
        for row in parent.get(field) or []:
            if not isinstance(row, dict):
                continue
            item = dict(row)
            item.setdefault("Parent_Id", {"name": parent.get(name_field), "id": str(parent["id"])})
            item.setdefault("Modified_Time", parent.get("Modified_Time"))
            rows.append(item)
    return rows


async def deleted_pages(
    api: ZohoApi, module: str, since: Any, *, page_size: int
) -> AsyncIterator[Page]:
    """Tombstones from ``/{module}/deleted`` after cursor ``since``.

    Zoho documents no order for this list, so the cursor is only checkpointed on
    the last page: an interrupted read repeats, it never skips.
    """
    state = Incremental.from_state(since)
    started = datetime.now(UTC)
    headers = {"If-Modified-Since": state.since.isoformat()} if state.since else None
    path = api.path(module, "deleted")
    page = 1
    while True:
        params = {"type": "all", "page": page, "per_page": page_size}
        body = await api.call("GET", path, params=params, headers=headers)
        if body is None:
            yield Page([], cursor=state.checkpoint(started))
            return
        data, info = body.get("data"), body.get("info")
        if not isinstance(data, list) or not isinstance(info, dict):
            raise MalformedResponse(
                "deleted-records response lacks data or info",
                connector=api.connector,
                endpoint=path,
            )
        fresh = []
        for item in data:
            rid = str(item["id"])
            when = parse_time(item.get("deleted_time"), what="deleted_time")
            if state.is_new(rid, when):
                fresh.append(item)
            state.observe(rid, when)
        more = bool(info.get("more_records"))
        yield Page(fresh, cursor=None if more else state.checkpoint(started))
        if not more:
            return
        page += 1
