"""Save bodies and what their answers say about each record.

YonBIP saves want the ``{"data": ...}`` wrapper, ``_status`` on the header and on
every child row, and (on MDD-idempotent endpoints) a ``resubmitCheckKey`` of at
most 32 characters. The key of a create depends only on the stream and the
external key, so a create retried after a lost answer -- minutes or days later --
names the same record; the key of an update also covers the payload, so a later
different update is not mistaken for a replay.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from connectors.sdk import MalformedResponse, WriteRequest, WriteResult
from connectors.sdk.streams import WriteStatus
from connectors.yonyou_bip.lines import default_line, domestic_amounts, reuse_line_ids
from connectors.yonyou_bip.streams import BipObject
from connectors.yonyou_bip.wire import dumps

KEY_LENGTH = 32


def resubmit_key(stream: str, external_key: str, payload: dict[str, Any] | None = None) -> str:
    """Deterministic ``resubmitCheckKey``: ``c``+hash for creates, ``u``+hash for updates."""
    material = f"{stream}\x00{external_key}"
    if payload is not None:
        material += "\x00" + dumps(payload).decode()
    digest = hashlib.sha256(material.encode()).hexdigest()
    return ("u" if payload is not None else "c") + digest[: KEY_LENGTH - 1]


def default_customer_code(external_key: str) -> str:
    """A customer code derived from the hub id, for customers the mapping sends without one."""
    return "SH" + hashlib.sha256(external_key.encode()).hexdigest()[:10].upper()


def prepare(
    obj: BipObject,
    request: WriteRequest,
    *,
    external_key_field: str,
    defaults: dict[str, Any] | None = None,
    idempotent: bool,
    current: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``data`` object of one save: external key, ``_status`` everywhere, resubmit key."""
    # Since 2025-03 a null overwrites the stored value: unchanged fields are omitted.
    data = {k: v for k, v in request.data.items() if v is not None}
    for key, value in (defaults or {}).items():
        data.setdefault(key, value)
    if obj.stream.name != "customers":
        domestic_amounts(data)
    if obj.line_rule is not None:
        default_line(obj.line_rule, data)
    data[external_key_field] = request.external_key
    if current is not None:
        reuse_line_ids(data, current, obj.lines)
    status = "Update" if request.remote_id else "Insert"
    data["_status"] = status
    if request.remote_id:
        data["id"] = request.remote_id
    for key in obj.lines:
        lines = data.get(key)
        if isinstance(lines, list):
            data[key] = [_line(line, status) for line in lines]
    if obj.stream.name == "customers":
        data = _customer_names(data, insert=request.remote_id is None)
    if idempotent:
        payload = {k: v for k, v in data.items() if k != "resubmitCheckKey"}
        data["resubmitCheckKey"] = resubmit_key(
            obj.stream.name, request.external_key, payload if request.remote_id else None
        )
    return data


def _line(line: Any, header_status: str) -> Any:
    if not isinstance(line, dict):
        return line
    line = dict(line)
    line.setdefault(
        "_status", "Update" if line.get("id") and header_status == "Update" else "Insert"
    )
    return line


def _customer_names(data: dict[str, Any], *, insert: bool) -> dict[str, Any]:
    """The idempotent insert wants ``{"simplifiedName"}``; ``merchant/save`` wants ``{"zh_CN"}``."""
    for key in ("name", "shortname"):
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get("simplifiedName") or value.get("zh_CN")
        if not isinstance(value, str):
            continue
        text = value
        data[key] = {"simplifiedName": text} if insert else {"zh_CN": text}
    return data


def saved_id(data: Any, path: str) -> tuple[str, dict[str, Any] | None]:
    """The id a single save answered with, and the saved record when it was echoed.

    Shapes seen: the echoed bill (``{"id": ..., "code": ..., ...}``), the idempotent
    insert's ``[{"id", "code"}]``, and a replay's bare ``{"id": ...}``.
    """
    if isinstance(data, list) and data and isinstance(data[0], dict):
        data = data[0]
    if not isinstance(data, dict) or data.get("id") in (None, ""):
        raise MalformedResponse(f"{path}: the save answer carries no id")
    record = data if len(data) > 2 else None
    return str(data["id"]), record


def batch_results(
    requests: Sequence[tuple[int, WriteRequest]],
    data: Any,
    *,
    external_key_field: str,
    path: str,
) -> list[WriteResult]:
    """Per-row outcomes of a batch save whose envelope said 200.

    Saved rows come back in ``infos`` carrying the external key; failed rows are
    counted in ``failCount`` and explained in ``messages`` (a list, or a single
    string on some endpoints) -- matched by ``key`` when it names the row, else
    in order.
    """
    if not isinstance(data, dict):
        raise MalformedResponse(f"{path}: batch answer data is not an object")
    saved = {
        str(info.get(external_key_field)): info
        for info in data.get("infos") or []
        if isinstance(info, dict)
    }
    messages = data.get("messages") or []
    if isinstance(messages, str):
        messages = [{"message": messages}]
    keys = {request.external_key for _, request in requests}
    by_key = {str(m["key"]): m for m in messages if isinstance(m, dict) and m.get("key") in keys}
    loose = [m for m in messages if not (isinstance(m, dict) and m.get("key") in keys)]
    results = []
    for index, request in requests:
        info = saved.get(request.external_key)
        if info is not None and info.get("id") not in (None, ""):
            status: WriteStatus = "updated" if request.remote_id else "created"
            results.append(WriteResult(index, status, remote_id=str(info["id"]), record=info))
            continue
        message = by_key.get(request.external_key) or (loose.pop(0) if loose else None)
        text = _text(message) or "the vendor did not save this row and gave no reason"
        results.append(WriteResult(index, "failed", error=text, vendor_code="failCount"))
    return results


def _text(message: Any) -> str | None:
    if isinstance(message, dict):
        return str(message.get("message") or message.get("msg") or "") or None
    return str(message) if message else None
