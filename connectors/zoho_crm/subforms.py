"""Writing subform rows (contract milestones) through their parent record.

Zoho has no endpoint for a subform row on its own: rows are written by updating
the parent with its whole subform array, and rows left out of the array are
deleted. So the writer reads each parent, merges the requested rows into the
rows it already has (matching by row id, else by the hub id in the row's
external-key field, which is what makes a retried create harmless), writes the
parents back in batches, and reads them again to learn the new rows' ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors.sdk import Record, WriteRequest, WriteResult
from connectors.zoho_crm.client import ZohoApi
from connectors.zoho_crm.reading import fetch_details
from connectors.zoho_crm.writing import BATCH, result_for

_ROW_READ_ONLY = frozenset(
    {"Parent_Id", "Modified_Time", "Created_Time", "Created_By", "Modified_By"}
)


def parent_id(data: Record) -> str | None:
    """The parent record's id from ``Parent_Id`` (a lookup ``{"id": ...}`` or a bare id)."""
    value = data.get("Parent_Id")
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value else None


def _row(values: Record) -> Record:
    return {k: v for k, v in values.items() if k not in _ROW_READ_ONLY and not k.startswith("$")}


class SubformWriter:
    """Writes rows of ``field`` on records of ``module``."""

    def __init__(
        self, api: ZohoApi, module: str, field: str, *, key_field: str, triggers: Sequence[str]
    ) -> None:
        self.api = api
        self.module = module
        self.field = field
        self.key_field = key_field
        self.triggers = list(triggers)

    async def write(self, requests: Sequence[WriteRequest]) -> list[WriteResult]:
        """One result per request, in order; a bad parent fails only its own rows."""
        results: dict[int, WriteResult] = {}
        by_parent: dict[str, list[int]] = {}
        for i, request in enumerate(requests):
            pid = parent_id(request.data)
            if pid is None:
                results[i] = WriteResult(
                    i, "failed", error="Parent_Id (the contract) is required", field="Parent_Id"
                )
            else:
                by_parent.setdefault(pid, []).append(i)
        parents = list(by_parent)
        for start in range(0, len(parents), BATCH):
            chunk = {pid: by_parent[pid] for pid in parents[start : start + BATCH]}
            results.update(await self._write_parents(requests, chunk))
        return [results[i] for i in range(len(requests))]

    async def _write_parents(
        self, requests: Sequence[WriteRequest], chunk: dict[str, list[int]]
    ) -> dict[int, WriteResult]:
        results: dict[int, WriteResult] = {}
        current = {
            str(r["id"]): r
            for r in await fetch_details(self.api, self.module, [{"id": pid} for pid in chunk])
        }
        payload: list[Record] = []
        sent: list[str] = []
        intents: dict[int, str] = {}
        for pid, indexes in chunk.items():
            if pid not in current:
                for i in indexes:
                    results[i] = WriteResult(
                        i, "failed", error=f"parent record {pid} not found", field="Parent_Id"
                    )
                continue
            rows = [_row(r) for r in current[pid].get(self.field) or [] if isinstance(r, dict)]
            for i in indexes:
                intents[i] = self._merge(rows, requests[i])
            payload.append({"id": pid, self.field: rows})
            sent.append(pid)
        if not payload:
            return results
        answer = await self.api.call(
            "PUT", self.api.path(self.module), body={"data": payload, "trigger": self.triggers}
        )
        items = answer.get("data") if isinstance(answer, dict) else None
        items = items if isinstance(items, list) and len(items) == len(sent) else [None] * len(sent)
        ok = [pid for pid, item in zip(sent, items, strict=True) if _success(item)]
        for pid, item in zip(sent, items, strict=True):
            if pid not in ok:
                for i in chunk[pid]:
                    results[i] = result_for(i, item, update=True)
        fresh = {
            str(r["id"]): r
            for r in await fetch_details(self.api, self.module, [{"id": pid} for pid in ok])
        }
        for pid in ok:
            rows = [r for r in (fresh.get(pid, {}).get(self.field) or []) if isinstance(r, dict)]
            for i in chunk[pid]:
                results[i] = self._outcome(i, requests[i], rows, intents[i])
        return results

    def _merge(self, rows: list[Record], request: WriteRequest) -> str:
        """Put the request into ``rows``; return ``"updated"`` or ``"created"``."""
        values = _row(request.data)
        values.pop("id", None)
        values[self.key_field] = request.external_key
        for row in rows:
            if (request.remote_id and str(row.get("id")) == request.remote_id) or (
                row.get(self.key_field) == request.external_key
            ):
                row.update(values)
                return "updated"
        rows.append(values)
        return "created"

    def _outcome(
        self, index: int, request: WriteRequest, rows: list[Record], intent: str
    ) -> WriteResult:
        for row in rows:
            if row.get(self.key_field) == request.external_key:
                return WriteResult(index, intent, remote_id=str(row.get("id")), record=row)  # type: ignore[arg-type]
        return WriteResult(
            index, "failed", error="row not found on its parent after the write", field=self.field
        )


def _success(item: Any) -> bool:
    return isinstance(item, dict) and item.get("status") == "success"
