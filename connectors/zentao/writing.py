"""Creating and updating ZenTao records, and finding them again by the hub's key.

ZenTao's answer to a write cannot always be trusted: a task edit that fails
validation answers 200 with the unchanged task, and some releases' project
PUT silently ignores ``code`` and ``budget``. So after every update the fields
sent are compared with what ZenTao now holds, and a difference fails that
record with a reason naming the fields.

The hub's key is kept in a text marker (``[synchub:<key>]``) inside a field a
person rarely edits (``desc``, or a story's ``sourceNote``); ZenTao v1 cannot
search by it, so ``lookup`` scans the list once for all keys asked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from connectors.sdk import RecordError, VendorError, WriteRequest, WriteResult
from connectors.zentao.client import ZentaoClient
from connectors.zentao.config import ZentaoConfig
from connectors.zentao.reading import Reader
from connectors.zentao.records import (
    account_of,
    find_marker,
    normalise,
    parse_date,
    to_int,
    with_marker,
)
from connectors.zentao.streams import Resource

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

RICH_TEXT = frozenset({"desc", "spec", "verify"})
"""HTML fields ZenTao may re-format (purifier), never compared after a write."""


def execution_code(key: str) -> str:
    """A unique execution code derived from the hub key (ZenTao requires one, max 45 chars)."""
    return "ms-" + "".join(ch for ch in key if ch.isalnum())[:40]


def working_days(begin: str, end: str) -> int:
    """Mon-Fri days from ``begin`` to ``end`` inclusive (ZenTao's default for ``days``)."""
    first, last = date.fromisoformat(begin[:10]), date.fromisoformat(end[:10])
    days, day = 0, first
    while day <= last:
        days += day.weekday() < 5
        day += timedelta(days=1)
    return max(days, 1)


class Writer:
    """Writes and look-ups of one connector instance; see the module docstring."""

    def __init__(self, client: ZentaoClient, config: ZentaoConfig, reader: Reader) -> None:
        self.client = client
        self.config = config
        self.reader = reader
        self.zone = ZoneInfo(config.timezone)

    async def write(
        self, resource: Resource, requests: Sequence[WriteRequest]
    ) -> list[WriteResult]:
        """One result per request; a refused record fails alone, transport and auth raise."""
        results = []
        for index, request in enumerate(requests):
            try:
                if request.remote_id:
                    result = await self.update(resource, index, request)
                else:
                    result = await self.create(resource, index, request)
            except (RecordError, VendorError) as exc:
                result = WriteResult(
                    index,
                    "failed",
                    remote_id=request.remote_id,
                    error=exc.message,
                    vendor_code=str(exc.status) if exc.status else None,
                    field=getattr(exc, "field", None),
                )
            results.append(result)
        return results

    # -- create ------------------------------------------------------------------------
    def create_body(self, resource: Resource, data: dict[str, Any], key: str) -> dict[str, Any]:
        """The POST body: the mapped data, ZenTao's required defaults, and the key marker."""
        body = dict(data)
        name = resource.stream.name
        if name == "projects":
            body.setdefault("products", [self.config.product])
            body.setdefault("model", "scrum")
        elif name == "executions":
            body.setdefault("code", execution_code(key))
            if body.get("end") and not body.get("begin"):
                body["begin"] = body["end"]
            if body.get("begin") and body.get("end") and not body.get("days"):
                body["days"] = working_days(str(body["begin"]), str(body["end"]))
        elif name == "stories":
            body.setdefault("spec", f"<p>{body.get('title') or ''}</p>")
            body.setdefault("pri", 3)
            body.setdefault("category", "feature")
        elif name == "tasks":
            body.setdefault("assignedTo", self.config.account)
            body.setdefault("type", "devel")
            if body.get("deadline") and not body.get("estStarted"):
                body["estStarted"] = body["deadline"]
        self._mark(resource, body, key)
        return body

    def _mark(self, resource: Resource, body: dict[str, Any], key: str) -> None:
        target = resource.stream.external_key_field or "desc"
        current = body.get(target)
        if target == "sourceNote":
            text = current if isinstance(current, str) else ""
            body[target] = with_marker(text, key).replace("<p>", " ").replace("</p>", "").strip()
        else:
            body[target] = with_marker(current, key)

    def create_path(self, resource: Resource, body: dict[str, Any]) -> str:
        """The create route with its parent filled from the record (or the configured product)."""
        values = {"product": body.get("product") or self.config.product}
        for parent in ("project", "execution"):
            if f"{{{parent}}}" in resource.create_path:
                value = to_int(body.get(parent))
                if not isinstance(value, int) or value <= 0:
                    raise RecordError(
                        f"a {resource.stream.name[:-1]} needs `{parent}` (the id of its ZenTao "
                        f"{parent}); got {body.get(parent)!r}",
                        field=parent,
                        stream=resource.stream.name,
                    )
                values[parent] = value
        return resource.create_path.format(**values)

    async def create(self, resource: Resource, index: int, request: WriteRequest) -> WriteResult:
        """POST the record; any 2xx with the created object counts (plans answer 200, not 201)."""
        body = self.create_body(resource, request.data, request.external_key)
        answer = await self.client.call("POST", self.create_path(resource, body), body=body)
        record = self._record(answer)
        if record is None:
            raise RecordError(
                f"ZenTao accepted the {resource.stream.name[:-1]} but returned no object: {answer!r}",
                stream=resource.stream.name,
            )
        return WriteResult(index, "created", remote_id=str(record["id"]), record=record)

    # -- update ------------------------------------------------------------------------
    def update_body(self, resource: Resource, data: dict[str, Any], key: str) -> dict[str, Any]:
        """The PUT body: the mapped data, keeping the key marker if the marked field is sent."""
        body = dict(data)
        target = resource.stream.external_key_field or "desc"
        if target in body:
            self._mark(resource, body, key)
        return body

    async def update(self, resource: Resource, index: int, request: WriteRequest) -> WriteResult:
        """PUT, then compare what ZenTao holds with what was sent (see the module docstring)."""
        assert request.remote_id is not None
        body = self.update_body(resource, request.data, request.external_key)
        path = resource.item_path.format(id=request.remote_id)
        if resource.stream.name == "stories" and ({"spec", "verify"} & body.keys()):
            await self._change_story(path, body)
        answer = await self.client.call("PUT", path, body=body)
        record = self._record(answer)
        if record is None or str(record.get("id")) != str(request.remote_id):
            record = self._record(await self.client.call("GET", path))
        if record is None:
            raise RecordError(f"ZenTao returned no record for {path}", stream=resource.stream.name)
        problems = mismatches(resource, body, record)
        if problems:
            return WriteResult(
                index,
                "failed",
                remote_id=request.remote_id,
                error="ZenTao answered the edit with success but did not apply it: "
                + "; ".join(problems),
                field=problems[0].split(":", 1)[0],
                record=record,
            )
        return WriteResult(index, "updated", remote_id=request.remote_id, record=record)

    async def _change_story(self, path: str, body: dict[str, Any]) -> None:
        """Story text changes go through ``/change`` (PUT ignores spec/verify); makes a new version."""
        current = self._record(await self.client.call("GET", path)) or {}
        change = {
            "title": body.get("title", current.get("title")),
            "spec": body.pop("spec", current.get("spec")),
            "verify": body.pop("verify", current.get("verify")),
        }
        if change["spec"] != current.get("spec") or change["verify"] != current.get("verify"):
            await self.client.call("POST", f"{path}/change", body=change)

    def _record(self, answer: Any) -> dict[str, Any] | None:
        if isinstance(answer, dict) and answer.get("id") is not None:
            return normalise(answer, self.zone)
        return None

    # -- lookup ------------------------------------------------------------------------
    async def lookup(self, resource: Resource, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Live records carrying these keys, found by one scan of the list."""
        wanted = set(keys)
        found: dict[str, dict[str, Any]] = {}
        if not wanted:
            return found
        field = resource.stream.external_key_field or "desc"
        codes = {execution_code(k): k for k in wanted} if resource.key_in_code else {}
        for parent in await self.reader.parents(resource):
            async for items, _ in self.reader.scan(resource, parent, "id_desc"):
                for listed in items:
                    item = listed if field in listed else await self._detail(resource, listed)
                    key = find_marker(item.get(field)) or codes.get(str(item.get("code")))
                    if key in wanted and key not in found:
                        found[key] = normalise(item, self.zone)
                if len(found) == len(wanted):
                    return found
        return found

    async def _detail(self, resource: Resource, item: dict[str, Any]) -> dict[str, Any]:
        answer = await self.client.call("GET", resource.item_path.format(id=item.get("id")))
        return answer if isinstance(answer, dict) else item


def mismatches(resource: Resource, sent: dict[str, Any], held: dict[str, Any]) -> list[str]:
    """``field: sent X, ZenTao holds Y`` for every editable field whose value did not stick."""
    problems = []
    for key, value in sent.items():
        if key not in resource.editable or key in RICH_TEXT or key not in held:
            continue
        if not same_value(value, held[key]):
            problems.append(f"{key}: sent {value!r}, ZenTao holds {held[key]!r}")
    return problems


def same_value(sent: Any, held: Any) -> bool:
    """Equal after ZenTao's re-typing: numbers as decimals, dates by day, users by account."""
    if isinstance(sent, dict) or isinstance(held, dict):
        return account_of(sent) == account_of(held)
    if isinstance(sent, list) or isinstance(held, list):
        left = sent if isinstance(sent, list) else [sent]
        right = held if isinstance(held, list) else [held]
        return sorted(map(account_of, left)) == sorted(map(account_of, right))
    if sent in (None, "") and held in (None, "", 0, "0"):
        return True
    left_num, right_num = _decimal(sent), _decimal(held)
    if left_num is not None and right_num is not None:
        return left_num == right_num
    if _DATE.match(str(sent)) and (held is None or _DATE.match(str(held))):
        return parse_date(sent) == parse_date(held)
    return str(sent).strip() == str(held).strip()


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
