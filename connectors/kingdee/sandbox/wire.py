"""What the server's bodies look like: request decoding and response envelopes.

K/3 Cloud accepts one request in several dresses (``{"formid", "data"}`` with
``data`` as an object or a JSON string, positional ``{"parameters": [...]}``,
form-encoded fields, keys in any casing) and answers in a few fixed ones (the
``Result.ResponseStatus`` envelope, bare row arrays, an error wrapped in
``[[...]]`` for queries, the top-level login object). This module is only that.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from connectors.kingdee.protocol import MsgCode


class BadRequest(Exception):
    """A body the server cannot read; answered with MsgCode 8 (parameter error)."""


def dumps(value: Any) -> bytes:
    """Compact JSON that writes ``Decimal`` as an exact JSON number."""
    return _encode(value).encode("utf-8")


def _encode(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Mapping):
        items = ",".join(
            f"{json.dumps(str(k), ensure_ascii=False)}:{_encode(v)}" for k, v in value.items()
        )
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def loads(raw: bytes | str) -> Any:
    """JSON with exact decimals (money must not pass through float)."""
    return json.loads(raw, parse_float=Decimal)


def get(mapping: Mapping[str, Any], key: str) -> Any:
    """A top-level value by key, ignoring case (``formid``/``FormId``, ``data``/``Data``)."""
    lowered = key.lower()
    return next((v for k, v in mapping.items() if str(k).lower() == lowered), None)


def decode_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """The request body as a dict, whatever its dress; ``BadRequest`` if unreadable."""
    if "application/x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    try:
        body = loads(raw) if raw.strip() else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest(f"请求数据包不是有效的JSON：{exc}") from None
    if not isinstance(body, dict):
        raise BadRequest("请求数据包必须是JSON对象。")
    return body


def form_and_data(
    body: Mapping[str, Any], *, needs_form: bool
) -> tuple[str | None, dict[str, Any]]:
    """``(formid, data)`` from any of the accepted body styles."""
    params = get(body, "parameters")
    if isinstance(params, str):
        params = _json_value(params)
    if isinstance(params, Sequence) and not isinstance(params, str):
        items = list(params)
        if needs_form:
            if len(items) < 2:
                raise BadRequest("parameters 参数个数不正确。")
            return str(items[0]), _data_object(items[1])
        if not items:
            raise BadRequest("parameters 参数个数不正确。")
        return None, _data_object(items[0])
    form = get(body, "formid")
    data = get(body, "data")
    data_obj = _data_object(data) if data is not None else {}
    if form is None and not needs_form:
        form = get(data_obj, "FormId")
    return (str(form) if form is not None else None), data_obj


def _json_value(text: str) -> Any:
    try:
        return loads(text)
    except json.JSONDecodeError:
        raise BadRequest("参数不是有效的JSON字符串。") from None


def _data_object(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = _json_value(value) if value.strip() else {}
    if not isinstance(value, dict):
        raise BadRequest("data 参数必须是JSON对象。")
    return value


def status(
    *,
    success: bool,
    errors: Sequence[Mapping[str, Any]] = (),
    entities: Sequence[Mapping[str, Any]] = (),
    code: MsgCode = MsgCode.OK,
) -> dict[str, Any]:
    """A ``ResponseStatus`` object; ``ErrorCode`` 500 only on failure."""
    body: dict[str, Any] = {}
    if not success:
        body["ErrorCode"] = 500
    body.update(
        IsSuccess=success,
        Errors=list(errors),
        SuccessEntitys=list(entities),
        SuccessMessages=[],
        MsgCode=int(code),
    )
    return body


def error(
    message: str, code: MsgCode, *, field: str | None = None, index: int = 0
) -> dict[str, Any]:
    """One ``Errors`` item."""
    return {"FieldName": field, "Message": message, "DIndex": index}


def failure(message: str, code: MsgCode) -> dict[str, Any]:
    """The whole-call failure envelope (session lost, unknown form, call limit...)."""
    return {
        "Result": {
            "ResponseStatus": status(success=False, errors=[error(message, code)], code=code)
        }
    }


def query_failure(message: str, code: MsgCode) -> list[list[dict[str, Any]]]:
    """Query endpoints wrap the failure envelope twice: ``[[{...}]]``."""
    return [[failure(message, code)]]
