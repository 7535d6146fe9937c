"""Writing records: upsert keyed by the hub id, updates by id, subform rows via their parent.

Creates go through ``POST /{module}/upsert`` with ``duplicate_check_fields`` set
to the external-key field, so a create retried after a crash updates the record
it already made instead of making a second one. Updates (the hub knows the
remote id) go through ``PUT /{module}``, which also stamps the key on records
that existed before the hub knew them. Zoho answers per record, in input order,
with 200/201, 207 (mixed) or 400 (all refused); every item is read, whatever the
status said.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from connectors.sdk import MalformedResponse, Record, WriteRequest, WriteResult
from connectors.sdk.streams import WriteStatus
from connectors.zoho_crm.client import ZohoApi

BATCH = 100
"""Records per insert/update/upsert call (Zoho's maximum)."""


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (vendor bodies vary)."""
    return value if isinstance(value, dict) else {}


def describe_error(item: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """Vendor reason, code and field of one refused record, nested errors flattened."""
    code = str(item.get("code") or "ERROR")
    details = as_dict(item.get("details"))
    if code == "MULTIPLE_OR_MULTI_ERRORS" and isinstance(details.get("errors"), list):
        parts = [describe_error(e) for e in details["errors"] if isinstance(e, dict)]
        if parts:
            reason = "; ".join(p[0] for p in parts)
            return f"{code}: {reason}", parts[0][1], parts[0][2]
    field = details.get("api_name") if isinstance(details.get("api_name"), str) else None
    extra = {k: v for k, v in details.items() if k not in ("json_path",)}
    text = f"{code}: {item.get('message', '')}"
    if extra:
        text += f" {json.dumps(extra, ensure_ascii=False, default=str)[:300]}"
    return text, code, field


def result_for(index: int, item: Any, *, update: bool) -> WriteResult:
    """The ``WriteResult`` of one per-record answer."""
    if not isinstance(item, dict):
        return WriteResult(index, "failed", error=f"unexpected per-record answer: {item!r}")
    if item.get("status") == "success":
        details = as_dict(item.get("details"))
        action = item.get("action")
        created = action == "insert" or (action is None and not update)
        status: WriteStatus = "created" if created else "updated"
        return WriteResult(index, status, remote_id=_str(details.get("id")), record=details)
    reason, code, field = describe_error(item)
    return WriteResult(index, "failed", error=reason, vendor_code=code, field=field)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


class ModuleWriter:
    """Writes for one module; see the module docstring."""

    def __init__(
        self, api: ZohoApi, module: str, *, key_field: str, triggers: Sequence[str]
    ) -> None:
        self.api = api
        self.module = module
        self.key_field = key_field
        self.triggers = list(triggers)

    async def write(self, requests: Sequence[WriteRequest]) -> list[WriteResult]:
        """One result per request, in order."""
        results: list[WriteResult | None] = [None] * len(requests)
        creates = [i for i, r in enumerate(requests) if not r.remote_id]
        updates = [i for i, r in enumerate(requests) if r.remote_id]
        for group, update in ((creates, False), (updates, True)):
            for start in range(0, len(group), BATCH):
                chunk = group[start : start + BATCH]
                for index, result in zip(
                    chunk, await self._send(requests, chunk, update), strict=True
                ):
                    results[index] = result
        return [r for r in results if r is not None]

    def _item(self, request: WriteRequest, index: int) -> Record | WriteResult:
        item = {k: v for k, v in request.data.items() if k != "id"}
        item[self.key_field] = request.external_key
        if request.remote_id:
            item["id"] = request.remote_id
        try:
            json.dumps(item, default=_check_number)
        except ValueError as exc:
            return WriteResult(index, "failed", error=str(exc), vendor_code="LOCAL")
        return item

    async def _send(
        self, requests: Sequence[WriteRequest], chunk: list[int], update: bool
    ) -> list[WriteResult]:
        prepared = {i: self._item(requests[i], i) for i in chunk}
        sendable = [i for i in chunk if not isinstance(prepared[i], WriteResult)]
        answers: dict[int, WriteResult] = {
            i: r for i, r in prepared.items() if isinstance(r, WriteResult)
        }
        if sendable:
            body: dict[str, Any] = {
                "data": [prepared[i] for i in sendable],
                "trigger": self.triggers,
            }
            if update:
                path = self.api.path(self.module)
                answer = await self.api.call("PUT", path, body=body)
            else:
                body["duplicate_check_fields"] = [self.key_field]
                path = self.api.path(self.module, "upsert")
                answer = await self.api.call("POST", path, body=body)
            items = answer.get("data") if isinstance(answer, dict) else None
            if not isinstance(items, list) or len(items) != len(sendable):
                raise MalformedResponse(
                    f"write answered {len(items) if isinstance(items, list) else 'no'} results "
                    f"for {len(sendable)} records",
                    connector=self.api.connector,
                    endpoint=path,
                )
            for i, item in zip(sendable, items, strict=True):
                answers[i] = result_for(i, item, update=update)
        return [answers[i] for i in chunk]


def _check_number(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        if Decimal(repr(float(value))) != value:
            raise ValueError(f"amount {value} cannot be sent exactly as a JSON number")
        return float(value)
    if isinstance(value, date):  # datetimes included: encode() writes them as ISO 8601
        return value.isoformat()
    raise ValueError(f"value of type {type(value).__name__} cannot be sent as JSON")
