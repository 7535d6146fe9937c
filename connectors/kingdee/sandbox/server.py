"""The K/3 Cloud WebAPI over HTTP: routing, authentication and the service handlers.

Every call is ``POST {vdir}/Kingdee.BOS.WebApi.ServicesStub.<Service>.<Method>.common.kdsvc``;
business outcomes come back with HTTP 200 and the body decides. The handlers
translate between wire bodies (``wire``) and the record rules (``store``,
``query``); authentication follows ``sessions``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from connectors.kingdee.protocol import (
    CALL_LIMIT_MESSAGE,
    RESPONSE_ERROR_PREFIX,
    SERVICE_SUFFIX,
    SESSION_COOKIE,
    SESSION_LOST_MESSAGE,
    WRONG_ACCT_MESSAGE,
    MsgCode,
)
from connectors.kingdee.sandbox import wire
from connectors.kingdee.sandbox.query import QueryError, QuerySpec, render, run_query
from connectors.kingdee.sandbox.sessions import Session, Verdict
from connectors.kingdee.sandbox.store import Bill, RowError, SaveOptions, Table
from connectors.kingdee.sandbox.wire import BadRequest

if TYPE_CHECKING:
    from connectors.kingdee.sandbox.simulator import KingdeeSandbox

QUERY_METHODS = frozenset({"executebillquery", "billquery"})
OPERATIONS = frozenset({"submit", "audit", "unaudit", "delete", "cancelassign"})


@dataclass(slots=True)
class Reply:
    """A response under construction: body, status and cookies to set."""

    body: Any
    status: int = 200
    text: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        """The Starlette response."""
        if self.text is not None:
            response = Response(self.text, self.status, media_type="text/plain; charset=utf-8")
        else:
            response = Response(
                wire.dumps(self.body), self.status, media_type="application/json; charset=utf-8"
            )
        for name, value in self.cookies.items():
            response.set_cookie(name, value, path="/", httponly=True)
        return response


@dataclass(slots=True)
class CallWindow:
    """MsgCode 14: at most ``limit`` business calls per ``seconds`` of sandbox time."""

    limit: int | None = None
    seconds: float = 60.0
    started: datetime | None = None
    count: int = 0

    def exceeded(self, now: datetime) -> bool:
        """Count one call; True when it is over the limit."""
        if self.limit is None:
            return False
        if self.started is None or now - self.started >= timedelta(seconds=self.seconds):
            self.started, self.count = now, 0
        self.count += 1
        return self.count > self.limit


class KingdeeApi:
    """The ASGI app; all state lives on the sandbox and is touched under its lock."""

    def __init__(self, sandbox: KingdeeSandbox) -> None:
        self.sandbox = sandbox

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Serve one HTTP request."""
        request = Request(scope, receive)
        raw = await request.body()
        reply = self.handle(request, raw)
        await reply.response()(scope, receive, send)

    # -- dispatch ---------------------------------------------------------------------
    def handle(self, request: Request, raw: bytes) -> Reply:
        """Route, authenticate and answer one call."""
        tail = unquote(request.url.path).rsplit("/", 1)[-1]
        if not tail.endswith(SERVICE_SUFFIX):
            return Reply(None, 404, text=f"The resource '{request.url.path}' cannot be found.")
        service = tail[: -len(SERVICE_SUFFIX)]
        prefix, _, method = service.rpartition(".")
        short = prefix.rsplit(".", 1)[-1].lower()
        key = method.lower()
        if request.method != "POST":
            return Reply(None, 405, text="Method not allowed; WebAPI services accept POST only.")
        sandbox = self.sandbox
        with sandbox.lock:
            forced = sandbox.take_response_error(key)
            if forced is not None:
                return Reply(None, 200, text=f"{RESPONSE_ERROR_PREFIX}{forced}")
            try:
                body = wire.decode_body(raw, request.headers.get("content-type", ""))
            except BadRequest as exc:
                return self._fail(key, str(exc), MsgCode.PARAMETER)
            if short == "authservice" and key in ("validateuser", "loginbyappsecret"):
                return self.login(key, body)
            if short != "dynamicformservice" or key not in HANDLERS:
                return Reply(None, 404, text=f"The requested service '{service}' was not found.")
            cookies: dict[str, str] = {}
            verdict = self.authenticate(request, cookies)
            if verdict is Verdict.WRONG_ACCT:
                return Reply(None, 500, text=WRONG_ACCT_MESSAGE)
            if verdict is Verdict.LOST:
                reply = self._fail(key, SESSION_LOST_MESSAGE, MsgCode.SESSION_LOST)
                reply.cookies.update(cookies)
                return reply
            if sandbox.call_window.exceeded(sandbox.clock.now()):
                return self._fail(key, CALL_LIMIT_MESSAGE, MsgCode.CALL_LIMIT)
            try:
                reply = HANDLERS[key](self, key, body)
            except BadRequest as exc:
                reply = self._fail(key, str(exc), MsgCode.PARAMETER)
            except QueryError as exc:
                reply = self._fail(key, exc.message, exc.code)
            reply.cookies.update(cookies)
            return reply

    def _fail(self, method: str, message: str, code: MsgCode) -> Reply:
        if method in QUERY_METHODS:
            return Reply(wire.query_failure(message, code))
        return Reply(wire.failure(message, code))

    def authenticate(self, request: Request, cookies: dict[str, str]) -> Verdict:
        """The server's rule: a live session passes; else signed headers; else lost."""
        sessions = self.sandbox.sessions
        presented = request.headers.get(SESSION_COOKIE) or request.cookies.get(SESSION_COOKIE)
        if sessions.live(presented) is not None:
            return Verdict.OK
        if "x-kd-appkey" not in request.headers:
            return Verdict.LOST
        if sessions.known(presented) and not sessions.signed_silent_renewal:
            return Verdict.LOST
        verdict = sessions.check_signed(request.headers, str(request.url))
        if verdict is Verdict.OK:
            cookies[SESSION_COOKIE] = sessions.issue().id
        elif verdict is Verdict.LOST:
            cookies[SESSION_COOKIE] = sessions.issue(valid=False).id
        return verdict

    # -- login ------------------------------------------------------------------------
    def login(self, method: str, body: dict[str, Any]) -> Reply:
        """ValidateUser / LoginByAppSecret: the top-level login object and the session cookie."""
        sessions = self.sandbox.sessions
        account = sessions.account
        params = wire.get(body, "parameters")
        if isinstance(params, str):
            params = json.loads(params)
        if params is None and wire.get(body, "acctID") is not None:
            params = [wire.get(body, k) for k in ("acctID", "username", "password", "lcid")]
        if not isinstance(params, list):
            return Reply(_login_body(None, "参数不正确：缺少parameters。", account.user_name))
        want = 4 if method == "validateuser" else 5
        if len(params) < want:
            return Reply(_login_body(None, "参数个数不正确。", account.user_name))
        acct, user = str(params[0]), str(params[1])
        if method == "validateuser":
            secret_ok = str(params[2]) == account.password
        else:
            secret_ok = str(params[2]) == account.app_id and str(params[3]) == account.app_secret
        session, message = sessions.login(acct, user, secret_ok)
        reply = Reply(_login_body(session, message, user))
        if session is not None:
            reply.cookies[SESSION_COOKIE] = session.id
            reply.cookies["ASP.NET_SessionId"] = session.id.replace("-", "")[:24]
        return reply

    # -- forms ------------------------------------------------------------------------
    def _table(self, form_id: str | None) -> Table:
        if not form_id:
            raise QueryError("FormId 不能为空。", MsgCode.FORM_ID_EMPTY)
        table = self.sandbox.store.table(form_id)
        if table is None:
            raise QueryError(f"标识为“{form_id}”的业务对象不存在，或者被删除。", MsgCode.EXCEPTION)
        return table

    def query(self, method: str, body: dict[str, Any]) -> Reply:
        """ExecuteBillQuery (row arrays) and BillQuery (objects keyed by field key)."""
        _, data = wire.form_and_data(body, needs_form=False)
        table = self._table(wire.get(data, "FormId"))
        spec = QuerySpec(
            field_keys=str(wire.get(data, "FieldKeys") or ""),
            filter_string=_filter_text(wire.get(data, "FilterString")),
            order_string=str(wire.get(data, "OrderString") or ""),
            top_row_count=_int(wire.get(data, "TopRowCount")),
            start_row=_int(wire.get(data, "StartRow")),
            limit=_int(wire.get(data, "Limit")),
        )
        options = self.sandbox.options
        if options.max_start_row is not None and spec.start_row > options.max_start_row:
            raise QueryError(
                f"StartRow {spec.start_row} 超过了允许的最大值 {options.max_start_row}。",
                MsgCode.PARAMETER,
            )
        rows = run_query(
            table,
            spec,
            self.sandbox.lookup,
            max_limit=options.max_limit,
            reject_over_limit=options.reject_over_limit,
        )
        if method == "billquery":
            keys = [k.strip() for k in spec.field_keys.split(",") if k.strip()]
            return Reply([dict(zip(keys, row, strict=True)) for row in rows])
        return Reply(rows)

    def save(self, method: str, body: dict[str, Any]) -> Reply:
        """Save / BatchSave: per-model outcomes by DIndex, partial or atomic commit."""
        form_id, data = wire.form_and_data(body, needs_form=True)
        table = self._table(form_id)
        model = wire.get(data, "Model")
        models = model if isinstance(model, list) else [model]
        if method == "save" and isinstance(model, list):
            raise BadRequest("Save 的 Model 必须是对象；多个对象请使用 BatchSave。")
        if not models or any(not isinstance(m, dict) for m in models):
            raise BadRequest("data 数据包中的参数 Model 的值不正确。")
        options = SaveOptions(
            need_update_fields=tuple(str(k) for k in wire.get(data, "NeedUpDateFields") or ()),
            is_delete_entry=_bool(wire.get(data, "IsDeleteEntry"), True),
        )
        auto = _bool(wire.get(data, "IsAutoSubmitAndAudit"), False)
        need_return = [str(k) for k in wire.get(data, "NeedReturnFields") or ()]
        store = self.sandbox.store
        snapshot = self.sandbox.snapshot() if self.sandbox.options.atomic_batch else None
        errors, entities, saved = [], [], []
        for index, item in enumerate(models):
            try:
                bill = store.save(table, item, options)
                if auto:
                    store.operate(table, "submit", bill)
                    store.operate(table, "audit", bill)
            except RowError as exc:
                errors.append(
                    wire.error(exc.message, MsgCode.VALIDATION, field=exc.field, index=index)
                )
                continue
            number = bill.header[table.form.number_key]
            entities.append({"Id": bill.id, "Number": number, "DIndex": index})
            saved.append(bill)
        if errors and snapshot is not None:
            self.sandbox.restore(snapshot)
            entities, saved = [], []
        result: dict[str, Any] = {
            "ResponseStatus": wire.status(
                success=not errors,
                errors=errors,
                entities=entities,
                code=MsgCode.VALIDATION if errors else MsgCode.OK,
            )
        }
        if method == "save":
            result["Id"] = saved[0].id if saved else ""
            result["Number"] = saved[0].header[table.form.number_key] if saved else ""
        result["NeedReturnData"] = [self._returned(table, b, need_return) for b in saved]
        return Reply({"Result": result})

    def _returned(self, table: Table, bill: Bill, keys: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in keys:
            f = table.form.header_field(key)
            if f is not None:
                out[key] = _plain(bill.header.get(f.key))
        return out

    def operate(self, method: str, body: dict[str, Any]) -> Reply:
        """Submit / Audit / UnAudit / Delete: unknown numbers are skipped unless all are."""
        form_id, data = wire.form_and_data(body, needs_form=True)
        table = self._table(form_id)
        targets = _targets(data)
        if not targets:
            raise BadRequest("Numbers 和 Ids 不能同时为空。")
        found = [(i, self._find(table, t)) for i, t in enumerate(targets)]
        if all(bill is None for _, bill in found):
            message = f"{table.form.title}：单据不存在或已被删除。"
            return Reply(wire.failure(message, MsgCode.DATA_NOT_FOUND))
        errors, entities = [], []
        for index, bill in found:
            if bill is None:
                continue  # the real server skips unknown numbers without a word
            number = bill.header[table.form.number_key]
            try:
                self.sandbox.store.operate(table, method, bill)
            except RowError as exc:
                errors.append(wire.error(exc.message, MsgCode.NOT_OPERABLE, index=index))
                continue
            entities.append({"Id": bill.id, "Number": number, "DIndex": index})
        code = MsgCode.NOT_OPERABLE if errors else MsgCode.OK
        status = wire.status(success=not errors, errors=errors, entities=entities, code=code)
        return Reply({"Result": {"ResponseStatus": status}})

    def _find(self, table: Table, target: str | int) -> Bill | None:
        if isinstance(target, int):
            return table.find(id=target)
        return table.find(target)

    def view(self, method: str, body: dict[str, Any]) -> Reply:
        """View: the whole record in ORM property names (``Id``, ``BillNo``, nested refs)."""
        form_id, data = wire.form_and_data(body, needs_form=True)
        table = self._table(form_id)
        number, raw_id = wire.get(data, "Number"), wire.get(data, "Id")
        bill = (
            table.find(id=_int(raw_id)) if raw_id not in (None, "", 0) else table.find(str(number))
        )
        if bill is None:
            return Reply(
                wire.failure(f"{table.form.title}：单据不存在或已被删除。", MsgCode.DATA_NOT_FOUND)
            )
        return Reply(
            {
                "Result": {
                    "ResponseStatus": wire.status(success=True),
                    "Result": self.sandbox.view_of(table, bill),
                }
            }
        )

    def business_info(self, method: str, body: dict[str, Any]) -> Reply:
        """QueryBusinessInfo: the form's field keys, for ``discover()``."""
        _, data = wire.form_and_data(body, needs_form=False)
        table = self._table(wire.get(data, "FormId"))
        form = table.form
        entrys = [
            {
                "Key": form.form_id,
                "Name": form.title,
                "Fields": [_field_info(f) for f in form.fields],
            }
        ]
        entrys += [
            {"Key": e.key, "Name": e.key, "Fields": [_field_info(f) for f in e.fields]}
            for e in form.entries
        ]
        need = {"Id": form.form_id, "Name": form.title, "Entrys": entrys}
        return Reply(
            {"Result": {"ResponseStatus": wire.status(success=True), "NeedReturnData": need}}
        )


Handler = Callable[[KingdeeApi, str, dict[str, Any]], Reply]

HANDLERS: dict[str, Handler] = {
    "executebillquery": KingdeeApi.query,
    "billquery": KingdeeApi.query,
    "save": KingdeeApi.save,
    "batchsave": KingdeeApi.save,
    "view": KingdeeApi.view,
    "querybusinessinfo": KingdeeApi.business_info,
    **dict.fromkeys(OPERATIONS, KingdeeApi.operate),
}


def _login_body(session: Session | None, message: str, user: str) -> dict[str, Any]:
    ok = session is not None
    return {
        "Message": None if ok else message,
        "MessageCode": "CheckPasswordPolicy" if ok else "",
        "LoginResultType": 1 if ok else 0,
        "Context": {"UserName": user, "UserId": 100008, "DBid": None, "LogLocale": "zh-CN"}
        if ok
        else None,
        "KDSVCSessionId": session.id if session else None,
        "FormId": None,
        "RedirectFormParam": None,
        "FormInputObject": None,
        "ErrorStackTrace": None,
        "Lcid": 2052,
        "AccessToken": None,
        "KdAccessResult": None,
        "IsSuccessByAPI": ok,
    }


def _targets(data: dict[str, Any]) -> list[str | int]:
    numbers = wire.get(data, "Numbers")
    ids = wire.get(data, "Ids")
    targets: list[str | int] = []
    if isinstance(numbers, list):
        targets += [str(n) for n in numbers if str(n)]
    if isinstance(ids, str) and ids.strip():
        try:
            targets += [int(i) for i in ids.split(",") if i.strip()]
        except ValueError:
            raise BadRequest("Ids 必须是以逗号分隔的内码字符串。") from None
    elif ids not in (None, "", []):
        raise BadRequest("Ids 必须是以逗号分隔的内码字符串。")
    return targets


def _filter_text(value: Any) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise BadRequest("FilterString 的数组形式未被本模拟器支持；请使用字符串形式。")
    return value


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        raise BadRequest(f"参数值“{value}”不是整数。") from None


def _bool(value: Any, default: bool) -> bool:
    if value in (None, ""):
        return default
    return value if isinstance(value, bool) else str(value).lower() == "true"


def _plain(value: Any) -> Any:
    return render(value)


def _field_info(f: Any) -> dict[str, Any]:
    return {
        "Key": f.key,
        "Name": [{"Key": 2052, "Value": f.label or f.key}],
        "MustInput": 1 if f.required else 0,
        "FieldType": f.kind,
        "LookUpObjectFormId": f.ref,
        "IsReadOnly": f.computed or f.system,
    }
