"""The sandbox's HTTP surface: discovery, the signed token, and the gateway's business APIs.

Order of checks at the gateway mirrors the probes in the facts file: unknown
path (HTTP 404, ``310404``) before method (``310405``) before token
(``310001`` missing, ``310036`` invalid or expired), all other refusals in
HTTP 200 bodies.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from connectors.yonyou_bip.sandbox.store import LINES, Refused
from connectors.yonyou_bip.signing import token_signature
from connectors.yonyou_bip.wire import dumps, loads

if TYPE_CHECKING:
    from connectors.yonyou_bip.sandbox import YonyouBipSandbox

AUTH_PREFIX = "/iuap-api-auth"
GATEWAY_PREFIX = "/iuap-api-gateway"
TOKEN_PATHS = (
    "/open-auth/selfAppAuth/getAccessToken",
    "/open-auth/selfAppAuth/base/v1/getAccessToken",
)
Handler = Callable[[Request], Awaitable[Any]]


def reply(payload: Any, status: int = 200) -> Response:
    """A JSON answer the way the gateway writes it."""
    return Response(dumps(payload), status_code=status, media_type="application/json;charset=UTF-8")


def fail(code: str, message: str, status: int = 200) -> Response:
    """A refusal: HTTP 200 (mostly) with the vendor code."""
    return reply({"code": code, "message": message}, status)


class BipApp:
    """ASGI app over a ``YonyouBipSandbox``'s state."""

    def __init__(self, sandbox: YonyouBipSandbox) -> None:
        self.sb = sandbox
        self.routes: dict[str, tuple[str, Handler]] = {}
        for stream, spec in sandbox.paths.items():
            for verb, (method, path) in spec.items():
                self.routes[path] = (method, self._handler(stream, verb))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Serve one request."""
        request = Request(scope, receive)
        response = await self.dispatch(request)
        await response(scope, receive, send)

    async def dispatch(self, request: Request) -> Response:
        """Route by path prefix: discovery, token service or gateway."""
        path = request.url.path
        if path == "/open-auth/dataCenter/getGatewayAddress":
            return self.discovery(request)
        if path.startswith(AUTH_PREFIX) and path[len(AUTH_PREFIX) :] in TOKEN_PATHS:
            if request.method != "GET":
                return fail("310405", "请求方法不允许")
            return self.token(request)
        if path.startswith(GATEWAY_PREFIX):
            return await self.gateway(request, path[len(GATEWAY_PREFIX) :])
        return fail("310404", f"网关上没有注册此API[{path}]，请确认后重新调用", 404)

    # -- discovery and token -----------------------------------------------------------
    def discovery(self, request: Request) -> Response:
        """The tenant's data-centre URLs (this sandbox, with the real path prefixes)."""
        if request.query_params.get("tenantId") != self.sb.tenant_id:
            return fail("500", "根据租户id获取网关地址出现异常")
        base = f"{request.url.scheme}://{request.url.netloc}"
        data = {"gatewayUrl": base + GATEWAY_PREFIX, "tokenUrl": base + AUTH_PREFIX}
        return reply({"code": "00000", "message": "成功！", "data": data})

    def token(self, request: Request) -> Response:
        """Verify the HMAC signature and the timestamp window; issue a token with ``+`` and ``/``."""
        params = request.query_params
        app_key, stamp, signature = (
            params.get("appKey"),
            params.get("timestamp", ""),
            params.get("signature"),
        )
        if app_key != self.sb.app_key:
            return fail("10018", "应用不存在或appKey已停用")
        if not stamp.isdigit():
            return fail("10013", "timestamp 参数错误")
        if signature != token_signature(self.sb.app_key, self.sb.app_secret, stamp):
            return fail("10011", "签名校验失败")
        now_ms = int(self.sb.server_time().timestamp() * 1000)
        if abs(now_ms - int(stamp)) > self.sb.timestamp_skew * 1000:
            return fail("10014", "时间戳已过期，请检查服务器时间")
        token = base64.b64encode(b"\xfb\xff" + secrets.token_bytes(30)).decode()
        with self.sb.lock:
            self.sb.tokens[token] = self.sb.clock.now() + timedelta(seconds=self.sb.token_ttl)
        data = {"access_token": token, "expire": self.sb.token_ttl}
        return reply({"code": "00000", "message": "成功！", "data": data})

    # -- gateway ---------------------------------------------------------------------
    async def gateway(self, request: Request, path: str) -> Response:
        """Path, method, token, API budget, then the business handler."""
        route = self.routes.get(path)
        if route is None:
            return fail("310404", f"网关上没有注册此API[{path}]，请确认后重新调用", 404)
        method, handler = route
        if request.method != method:
            return fail("310405", "请求方法不允许")
        token = request.query_params.get("access_token")
        if not token:
            return fail("310001", "access_token不能为空。")
        with self.sb.lock:
            expires = self.sb.tokens.get(token)
            if expires is None or expires <= self.sb.clock.now():
                return fail("310036", "非法token")
            if self.sb.over_budget(path):
                throttled: Response = self.sb.throttled()
                return throttled
        try:
            data = await handler(request)
        except Refused as exc:
            return fail(exc.code, exc.message)
        if isinstance(data, Response):
            return data
        code: Any = 200 if path in self.sb.numeric_code_paths else "200"
        return reply({"code": code, "message": "操作成功", "data": data})

    def _handler(self, stream: str, verb: str) -> Handler:
        handlers: dict[str, Callable[[str, Request], Awaitable[Any]]] = {
            "newlist": self.bare_list,
            "list": self.envelope_list,
            "detail": self.detail,
            "batch_detail": self.batch_detail,
            "insert": self.mdd_save,
            "save": self.mdd_save,
            "update": self.plain_save,
            "batch_save": self.batch_save,
        }
        target = handlers[verb]

        async def handle(request: Request) -> Any:
            return await target(stream, request)

        return handle

    # -- business handlers ------------------------------------------------------------
    async def body(self, request: Request) -> Any:
        """The JSON body with exact decimals; a non-JSON body is ``310002``."""
        try:
            return loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise Refused("310002", "请求体必须是JSON结构") from None

    async def bare_list(self, stream: str, request: Request) -> Any:
        """``merchant/newlist``: data is the bare row array; ``pubts`` >= filter at top level."""
        body = await self.body(request)
        index, size = _paging(body, default_size=500, cap=5000)
        conditions = (
            [{"field": "pubts", "op": "egt", "value1": body["pubts"]}] if body.get("pubts") else []
        )
        with self.sb.lock:
            rows = self.sb.store.query(stream, conditions, [])
            return [
                self.sb.store.header(stream, r) for r in rows[(index - 1) * size : index * size]
            ]

    async def envelope_list(self, stream: str, request: Request) -> Any:
        """Standard list: ``simpleVOs`` filters, ``queryOrders``, the recordList envelope."""
        body = await self.body(request)
        index, size = _paging(body, default_size=10, cap=self.sb.max_page_size)
        conditions = _conditions(body.get("simpleVOs") or []) + _date_range(body)
        with self.sb.lock:
            rows = self.sb.store.query(stream, conditions, body.get("queryOrders") or [])
            if body.get("isSum", True) is False:
                rows = [flat for r in rows for flat in self.sb.store.flatten(stream, r)]
            page = rows[(index - 1) * size : index * size]
            records = [self.sb.store.header(stream, r) for r in page]
        count = len(rows)
        pages = (count + size - 1) // size
        return {
            "pageIndex": index,
            "pageSize": size,
            "recordCount": count,
            "pageCount": pages,
            "beginPageIndex": 1,
            "endPageIndex": max(pages, 1),
            "recordList": records,
        }

    async def detail(self, stream: str, request: Request) -> Any:
        """GET ``detail?id=``: the whole record with child tables; absent is ``1002``."""
        rid = request.query_params.get("id", "")
        with self.sb.lock:
            record = self.sb.store.records[stream].get(rid)
        if record is None:
            raise Refused("1002", f"数据不存在，id={rid}")
        return record

    async def batch_detail(self, stream: str, request: Request) -> Any:
        """``newBatchDetail``: ``[{"id": ...}]`` in, whole records out."""
        body = await self.body(request)
        items = body if isinstance(body, list) else [body]
        with self.sb.lock:
            found = (
                self.sb.store.records[stream].get(str(i.get("id")))
                for i in items
                if isinstance(i, dict)
            )
            return [r for r in found if r is not None]

    async def mdd_save(self, stream: str, request: Request) -> Any:
        """An MDD-idempotent single save: the same resubmitCheckKey never saves twice."""
        body = await self.body(request)
        data = body.get("data") if isinstance(body, dict) else None
        key = data.get("resubmitCheckKey") if isinstance(data, dict) else None
        path = request.url.path
        insert_only = path.endswith("/idempotent/newinsert")
        if key is not None and len(str(key)) > 32:
            raise Refused("310015", "参数校验错误：resubmitCheckKey 长度不能超过32位")
        with self.sb.lock:
            if key:
                replay = self.sb.replay(path, str(key))
                if replay is not None:
                    return replay
            if insert_only and isinstance(data, dict):
                data = {**data, "_status": "Insert"}
            record = self.sb.store.save(stream, data, require_status=not insert_only)
            answer: Any = [{"id": record["id"], "code": record["code"]}] if insert_only else record
            if key:
                self.sb.remember(path, str(key), answer, record["id"])
            return answer

    async def plain_save(self, stream: str, request: Request) -> Any:
        """A non-idempotent single save (``merchant/save``)."""
        body = await self.body(request)
        with self.sb.lock:
            return self.sb.store.save(stream, body.get("data") if isinstance(body, dict) else None)

    async def batch_save(self, stream: str, request: Request) -> Any:
        """A batch save: code 200 always, counts and per-row messages inside (``sucessCount``)."""
        body = await self.body(request)
        rows = body.get("data") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise Refused("310002", "data 必须是数组")
        infos, messages = [], []
        with self.sb.lock:
            for index, row in enumerate(rows):
                try:
                    infos.append(self.sb.store.save(stream, row))
                except Refused as exc:
                    key = row.get("code") if isinstance(row, dict) else None
                    messages.append(
                        {"index": index, "key": key or str(index), "message": exc.message}
                    )
        return {
            "count": len(rows),
            "sucessCount": len(infos),
            "failCount": len(messages),
            "messages": messages,
            "infos": infos,
        }


def _paging(body: Any, *, default_size: int, cap: int) -> tuple[int, int]:
    if not isinstance(body, dict):
        raise Refused("310002", "请求体必须是JSON结构")
    try:
        index = int(body.get("pageIndex") or 1)
        size = int(body.get("pageSize") or default_size)
    except (TypeError, ValueError):
        raise Refused("310023", "参数类型校验失败：pageIndex/pageSize") from None
    if index < 1 or size < 1:
        raise Refused("310015", "pageIndex/pageSize 必须大于0")
    return index, min(size, cap)


def _date_range(body: dict[str, Any]) -> list[dict[str, Any]]:
    """``open_vouchdate_begin`` / ``_end``: the document-date window some lists take."""
    bounds = (("open_vouchdate_begin", "egt"), ("open_vouchdate_end", "elt"))
    return [{"field": "vouchdate", "op": op, "value1": body[k]} for k, op in bounds if body.get(k)]


def _conditions(items: list[Any]) -> list[dict[str, Any]]:
    """Flatten ``simpleVOs`` (plain and grouped ``{"logicOp":"and","conditions":[...]}``)."""
    flat: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, dict) and "conditions" in item:
            flat.extend(_conditions(item["conditions"]))
        elif isinstance(item, dict):
            value = item.get("value1")
            flat.append({**item, "value1": str(value) if isinstance(value, Decimal) else value})
    return flat


__all__ = ["LINES", "BipApp"]
