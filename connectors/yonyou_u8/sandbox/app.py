"""The U8 OpenAPI relay as the sandbox serves it: token, tradeid, ``/api/<resource>/<verb>``, results.

Every ``/api`` call must carry ``from_account``, ``to_account``, ``app_key``
and a live ``token`` (and a known ``ds_sequence`` when given). Adds answer with
a result URL unless ``sync=1``; the result becomes available after
``result_delay`` polls.
"""

from __future__ import annotations

import itertools
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from connectors.yonyou_u8.sandbox.store import LABELS, LIST_RESOURCES, RESOURCES, Refused
from connectors.yonyou_u8.wire import dumps, loads

if TYPE_CHECKING:
    from connectors.yonyou_u8.sandbox import YonyouU8Sandbox

TOKEN_ERROR = "30001"


def reply(payload: dict[str, Any], status: int = 200) -> Response:
    """A JSON answer."""
    return Response(dumps(payload), status_code=status, media_type="application/json;charset=UTF-8")


def fail(code: str, message: str) -> Response:
    """A refusal: HTTP 200, flat errcode/errmsg."""
    return reply({"errcode": code, "errmsg": message})


class U8App:
    """ASGI app over a ``YonyouU8Sandbox``'s state."""

    def __init__(self, sandbox: YonyouU8Sandbox) -> None:
        self.sb = sandbox
        self.by_resource = {r: s for s, r in RESOURCES.items()}
        self.by_list = {r: s for s, r in LIST_RESOURCES.items()}
        self._results = itertools.count(1)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Serve one request."""
        request = Request(scope, receive)
        try:
            response = await self.dispatch(request)
        except Refused as exc:
            response = fail(exc.code, exc.message)
        await response(scope, receive, send)

    async def dispatch(self, request: Request) -> Response:
        """Route ``/system/*``, ``/api/<resource>/<verb>`` and ``/result/<n>``."""
        parts = request.url.path.strip("/").split("/")
        if parts == ["system", "token"]:
            return self.token(request)
        if parts == ["system", "tradeid"]:
            self.check_token(request, need_to_account=False)
            trade = secrets.token_hex(16)
            with self.sb.lock:
                self.sb.tradeids.add(trade)
            return reply({"errcode": "0", "errmsg": "成功", "trade": {"id": trade}})
        if len(parts) == 2 and parts[0] == "result":
            return self.result(parts[1])
        if len(parts) == 3 and parts[0] == "api":
            return await self.api(request, parts[1], parts[2])
        return Response(b"Not Found", status_code=404, media_type="text/plain")

    def token(self, request: Request) -> Response:
        """``GET /system/token``: the secret in clear; ``token.id`` and ``expiresIn`` back."""
        q = request.query_params
        if q.get("from_account") != self.sb.from_account or q.get("app_key") != self.sb.app_key:
            return fail("10001", "from_account 或 app_key 不正确")
        if q.get("app_secret") != self.sb.app_secret:
            return fail("10002", "app_secret 不正确")
        token = secrets.token_hex(16)
        with self.sb.lock:
            self.sb.tokens[token] = self.sb.clock.now() + timedelta(seconds=self.sb.token_ttl)
        return reply(
            {
                "errcode": "0",
                "errmsg": "成功",
                "token": {"id": token, "appkey": self.sb.app_key, "expiresIn": self.sb.token_ttl},
            }
        )

    def check_token(self, request: Request, *, need_to_account: bool = True) -> None:
        """The account parameters every call carries; ``Refused`` names what is wrong."""
        q = request.query_params
        required = (
            ("from_account", "to_account", "app_key", "token")
            if need_to_account
            else ("from_account", "app_key", "token")
        )
        for name in required:
            if not q.get(name):
                raise Refused("10003", f"缺少必需参数 {name}")
        if q.get("from_account") != self.sb.from_account or q.get("app_key") != self.sb.app_key:
            raise Refused("10001", "from_account 或 app_key 不正确")
        if need_to_account and q.get("to_account") != self.sb.to_account:
            raise Refused("10004", f"to_account[{q.get('to_account')}]未授权")
        if q.get("ds_sequence") not in (None, "1"):
            raise Refused("10005", f"数据源[{q.get('ds_sequence')}]不存在")
        with self.sb.lock:
            expires = self.sb.tokens.get(q.get("token", ""))
            if expires is None or expires <= self.sb.clock.now():
                raise Refused(TOKEN_ERROR, "token 无效或已过期")

    async def api(self, request: Request, resource: str, verb: str) -> Response:
        """``get``, ``batch_get``, ``add`` and (customers) ``edit``."""
        stream = (
            self.by_list.get(resource) if verb == "batch_get" else self.by_resource.get(resource)
        )
        allowed = {"get": "GET", "batch_get": "GET", "add": "POST", "edit": "POST"}
        if stream is None or verb not in allowed or (verb == "edit" and stream != "customers"):
            return Response(b"Not Found", status_code=404, media_type="text/plain")
        if request.method != allowed[verb]:
            return Response(b"Method Not Allowed", status_code=405, media_type="text/plain")
        self.check_token(request)
        q = dict(request.query_params)
        with self.sb.lock:
            if self.sb.over_budget():
                status, headers, payload = self.sb.rate_limit_response(60.0)
                return Response(payload, status_code=status, headers=headers)
        if verb == "get":
            return self.get(stream, resource, q.get("id", ""))
        if verb == "batch_get":
            return self.batch_get(stream, resource, q)
        body = await self.body(request)
        if verb == "edit":
            with self.sb.lock:
                code = self.sb.store.edit(stream, body.get(resource))
            return reply({"errcode": "0", "errmsg": "修改成功", "id": code})
        return self.add(stream, resource, q, body, f"{request.url.scheme}://{request.url.netloc}")

    async def body(self, request: Request) -> dict[str, Any]:
        """The JSON body (exact decimals)."""
        try:
            body = loads(await request.body())
        except ValueError:
            raise Refused("2001", "请求体不是合法的JSON") from None
        if not isinstance(body, dict):
            raise Refused("2001", "请求体必须是JSON对象")
        return body

    def get(self, stream: str, resource: str, key: str) -> Response:
        """One record by code (document number)."""
        with self.sb.lock:
            record = self.sb.store.records[stream].get(key)
        if record is None:
            return fail("20002", f"未检索到匹配的[{LABELS[stream]}]。")
        return reply({"errcode": "0", "errmsg": "", resource: record})

    def batch_get(self, stream: str, resource: str, q: dict[str, str]) -> Response:
        """A page of rows; paging numbers are strings; nothing matched is errcode 20002."""
        try:
            index, size = int(q.get("page_index") or 1), int(q.get("rows_per_page") or 20)
        except ValueError:
            raise Refused("2001", "page_index / rows_per_page 必须是数字") from None
        size = max(1, min(size, self.sb.max_rows_per_page))
        with self.sb.lock:
            rows = self.sb.store.query(stream, q)
            page = [self.sb.store.header(r) for r in rows[(index - 1) * size : index * size]]
        if not rows:
            return fail("20002", f"未检索到匹配的[{LABELS[stream]}]。")
        pages = (len(rows) + size - 1) // size
        return reply(
            {
                "errcode": "0",
                "errmsg": "",
                "page_index": str(index),
                "rows_per_page": str(size),
                "row_count": str(len(rows)),
                "page_count": str(pages),
                resource: page,
            }
        )

    def add(
        self, stream: str, resource: str, q: dict[str, str], body: dict[str, Any], base: str
    ) -> Response:
        """Queue (or, with ``sync=1``, do) an add keyed by ``tradeid`` xor ``biz_id``."""
        tradeid, biz_id = q.get("tradeid"), q.get("biz_id")
        if bool(tradeid) == bool(biz_id):
            raise Refused("2001", "tradeid 与 biz_id 必须且只能传入一个")
        with self.sb.lock:
            if tradeid and tradeid not in self.sb.tradeids:
                raise Refused("2001", f"tradeid[{tradeid}]无效")
            key = ("tradeid", str(tradeid)) if tradeid else ("biz_id", str(biz_id))
            try:
                code = self.sb.store.add(stream, body.get(resource), key)
                outcome = {
                    "errcode": "0",
                    "errmsg": "新增成功",
                    "id": code,
                    "tradeid": tradeid or "",
                }
            except Refused as exc:
                outcome = {"errcode": exc.code, "errmsg": exc.message}
            if q.get("sync") == "1":
                return reply(outcome)
            number = str(next(self._results))
            self.sb.results[number] = [self.sb.result_delay, outcome]
        return reply({"errcode": "0", "errmsg": "提交成功", "url": f"{base}/result/{number}"})

    def result(self, number: str) -> Response:
        """The outcome of a queued add; ``status: processing`` until its delay has passed."""
        with self.sb.lock:
            entry = self.sb.results.get(number)
            if entry is None:
                return fail("2001", f"结果[{number}]不存在")
            if entry[0] > 0:
                entry[0] -= 1
                return reply({"errcode": "0", "errmsg": "处理中", "status": "processing"})
            return reply(entry[1])
