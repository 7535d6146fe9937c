"""The simulated Zoho endpoints: accounts server, records, metadata, COQL, deleted records.

Handlers are small; the rules (validation, rendering) live in ``store`` and the
parameters are checked in the order and with the codes Zoho uses.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connectors.zoho_crm.sandbox import coql
from connectors.zoho_crm.sandbox.schema import ModuleDef
from connectors.zoho_crm.sandbox.store import WriteRefused, record_error

if TYPE_CHECKING:
    from connectors.zoho_crm.sandbox import ZohoCrmSandbox

JSON_TYPE = "application/json;charset=UTF-8"
SUPPORTED_VERSIONS = ("v2", "v2.1", "v3", "v4", "v5", "v6", "v7", "v8")
SORTABLE = ("id", "Created_Time", "Modified_Time")
MAX_FIELDS = 50
MAX_BATCH = 100
TOKEN_TTL = timedelta(hours=24)
Handler = Callable[[Request], Awaitable[Response]]


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def reply(status: int, payload: Any = None, headers: dict[str, str] | None = None) -> Response:
    """A Zoho JSON answer (``None`` payload: an empty body, as 204/304 have)."""
    if payload is None:
        return Response(status_code=status, headers=headers)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_default)
    return Response(body.encode(), status_code=status, media_type=JSON_TYPE, headers=headers)


def fail(status: int, code: str, message: str, **details: Any) -> Response:
    """A top-level Zoho error."""
    return reply(status, record_error(code, message, **details))


@dataclass(slots=True)
class ListQuery:
    """A checked list request."""

    fields: list[str]
    per_page: int
    page: int
    sort_by: str
    sort_order: str
    token: str | None
    ims: datetime | None
    ids: str | None
    binding: tuple[Any, ...]


@dataclass(slots=True)
class PageToken:
    """Server state behind an opaque ``page_token``: what it is bound to and where it points."""

    binding: tuple[Any, ...]
    offset: int
    expires: datetime


class ZohoApi:
    """Routes and handlers; state lives on the sandbox."""

    def __init__(self, sandbox: ZohoCrmSandbox) -> None:
        self.sb = sandbox
        self.page_tokens: dict[str, PageToken] = {}

    def app(self) -> Starlette:
        """The Starlette app; specific paths before ``/{module}/{id}``."""
        crm = "/crm/{version}"
        routes = [
            Route("/oauth/v2/token", self.token, methods=["POST"]),
            Route("/oauth/v2/token/revoke", self.revoke, methods=["POST"]),
            Route(f"{crm}/settings/modules", self.api(self.modules), methods=["GET"]),
            Route(f"{crm}/settings/modules/{{name}}", self.api(self.modules), methods=["GET"]),
            Route(f"{crm}/settings/fields", self.api(self.fields), methods=["GET"]),
            Route(f"{crm}/users", self.api(self.users), methods=["GET"]),
            Route(f"{crm}/org", self.api(self.org_info), methods=["GET"]),
            Route(f"{crm}/coql", self.api(self.coql), methods=["POST"]),
            Route(f"{crm}/{{module}}/upsert", self.api(self.upsert), methods=["POST"]),
            Route(f"{crm}/{{module}}/deleted", self.api(self.deleted), methods=["GET"]),
            Route(f"{crm}/{{module}}/actions/count", self.api(self.count), methods=["GET"]),
            Route(
                f"{crm}/{{module}}",
                self.api(self.collection),
                methods=["GET", "POST", "PUT", "DELETE"],
            ),
            Route(
                f"{crm}/{{module}}/{{id}}", self.api(self.single), methods=["GET", "PUT", "DELETE"]
            ),
        ]
        return Starlette(routes=routes)

    # -- accounts server -------------------------------------------------------------------
    async def token(self, request: Request) -> Response:
        """Refresh-token grant; credentials in the form body or the query string."""
        form = {k: v[-1] for k, v in parse_qs((await request.body()).decode()).items()}
        values = {**dict(request.query_params), **form}
        sb = self.sb
        if values.get("grant_type") != "refresh_token":
            return reply(200, {"error": "unsupported_grant_type"})
        if (
            values.get("client_id") != sb.client_id
            or values.get("client_secret") != sb.client_secret
        ):
            return reply(200, {"error": "invalid_client"})
        if values.get("refresh_token") != sb.refresh_token:
            return reply(200, {"error": "invalid_code"})
        access = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        with sb.lock:
            sb.tokens[access] = sb.clock.now() + timedelta(seconds=sb.token_ttl)
            sb.token_grants += 1
        return reply(
            200,
            {
                "access_token": access,
                "scope": "ZohoCRM.modules.ALL ZohoCRM.settings.ALL ZohoCRM.coql.READ",
                "api_domain": str(request.base_url).rstrip("/"),
                "token_type": "Bearer",
                "expires_in": int(sb.token_ttl),
            },
        )

    async def revoke(self, request: Request) -> Response:
        """Revoking the refresh token is accepted and ignored (the sandbox has one)."""
        return reply(200, {"status": "success"})

    # -- the CRM API envelope ------------------------------------------------------------------
    def api(self, handler: Handler) -> Handler:
        """Wrap a CRM handler with the version check, OAuth check and the credit meter."""

        async def wrapped(request: Request) -> Response:
            version = request.path_params["version"]
            if version not in SUPPORTED_VERSIONS:
                return fail(
                    400, "API_NOT_SUPPORTED", "API version not supported", supported_version="v8"
                )
            header = request.headers.get("authorization", "")
            if not header:
                return fail(401, "AUTHENTICATION_FAILURE", "Authentication failed")
            scheme, _, token = header.partition(" ")
            sb = self.sb
            with sb.lock:
                expiry = sb.tokens.get(token) if scheme == "Zoho-oauthtoken" else None
                valid = expiry is not None and expiry > sb.clock.now()
                refusal = None if not valid else sb.meter.charge(request.method, request.url.path)
            if not valid:
                return fail(401, "INVALID_TOKEN", "invalid oauth token")
            if refusal is not None:
                return reply(429, refusal)
            try:
                async with sb.meter.in_flight() as over:
                    if over is not None:
                        return reply(429, over)
                    return await handler(request)
            except BodyError as exc:
                return exc.response

        return wrapped

    def _module(self, request: Request, *, listable: bool = True) -> ModuleDef:
        name = request.path_params.get("module") or request.query_params.get("module") or ""
        module = self.sb.org.module(name)
        if module is None or (listable and module.generated_type == "subform"):
            raise BodyError(
                fail(
                    400,
                    "INVALID_MODULE",
                    "the module name given seems to be invalid",
                    resource_path_index=0,
                )
            )
        return module

    # -- metadata ------------------------------------------------------------------------------
    async def modules(self, request: Request) -> Response:
        """``/settings/modules`` and ``/settings/modules/{api_name}``."""
        wanted = request.path_params.get("name")
        items = []
        for module in self.sb.org.modules.values():
            if module.generated_type == "subform" or (wanted and module.api_name != wanted):
                continue
            items.append(
                {
                    "api_name": module.api_name,
                    "module_name": module.api_name,
                    "api_supported": True,
                    "generated_type": module.generated_type,
                    "id": module.id,
                    "singular_label": module.singular,
                    "plural_label": module.plural,
                    "creatable": True,
                    "editable": True,
                    "deletable": True,
                    "viewable": True,
                    "visible": True,
                    "status": "visible",
                }
            )
        if wanted and not items:
            return fail(
                400,
                "INVALID_MODULE",
                "the module name given seems to be invalid",
                resource_path_index=0,
            )
        return reply(200, {"modules": items})

    async def fields(self, request: Request) -> Response:
        """``/settings/fields?module=`` (subform modules included)."""
        if not request.query_params.get("module"):
            return fail(
                400,
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                param_name="module",
            )
        module = self._module(request, listable=False)
        out = []
        for n, fd in enumerate(module.fields, start=1):
            item: dict[str, Any] = {
                "api_name": fd.api_name,
                "field_label": fd.label or fd.api_name,
                "display_label": fd.label or fd.api_name,
                "data_type": fd.data_type,
                "json_type": fd.json_type,
                "system_mandatory": fd.mandatory,
                "custom_field": fd.custom,
                "read_only": fd.read_only,
                "field_read_only": fd.read_only,
                "length": fd.length,
                "decimal_place": 2 if fd.data_type in ("currency", "double", "percent") else None,
                "id": f"{module.id[:-4]}{n:04d}",
                "visible": True,
                "pick_list_values": [
                    {"display_value": p, "actual_value": p, "id": f"{module.id[:-4]}{n:02d}{i:02d}"}
                    for i, p in enumerate(fd.picklist)
                ],
                "lookup": {},
                "unique": {"casesensitive": False} if fd.unique else {},
            }
            if fd.lookup:
                target = self.sb.org.modules.get(fd.lookup)
                item["lookup"] = {
                    "display_label": fd.label,
                    "api_name": fd.api_name,
                    "module": {"api_name": fd.lookup, "id": target.id if target else ""},
                    "id": item["id"],
                }
            if fd.subform:
                sub = self.sb.org.modules[fd.subform]
                item["associated_module"] = {"module": sub.api_name, "id": sub.id}
            out.append(item)
        return reply(200, {"fields": out})

    async def users(self, request: Request) -> Response:
        """``/users?type=CurrentUser``: the one sandbox user."""
        user = self.sb.org.user
        return reply(
            200,
            {
                "users": [
                    {
                        "id": user["id"],
                        "email": user["email"],
                        "full_name": user["name"],
                        "status": "active",
                        "role": {"name": "CEO", "id": "7153000000000000101"},
                        "profile": {"name": "Administrator", "id": "7153000000000000102"},
                        "time_zone": self.sb.time_zone,
                    }
                ],
                "info": {"per_page": 200, "count": 1, "page": 1, "more_records": False},
            },
        )

    async def org_info(self, request: Request) -> Response:
        """``/org``: the keys clients read (``zgid``, ``license_details``)."""
        return reply(
            200,
            {
                "org": [
                    {
                        "id": "7153000000000000001",
                        "zgid": "71530001",
                        "company_name": "链桥科技（SyncHub 沙箱）",
                        "time_zone": self.sb.time_zone,
                        "currency": "CNY",
                        "currency_symbol": "¥",
                        "country_code": self.sb.data_centre.upper(),
                        "license_details": {
                            "paid_type": "enterprise",
                            "paid": True,
                            "users_license_purchased": 10,
                        },
                    }
                ]
            },
        )

    # -- records ---------------------------------------------------------------------------
    async def collection(self, request: Request) -> Response:
        """``/{module}``: list (GET), insert (POST), update many (PUT), delete (DELETE)."""
        module = self._module(request)
        if request.method == "GET":
            return self.list_records(request, module)
        if request.method == "DELETE":
            return self.delete_records(module, (request.query_params.get("ids") or "").split(","))
        items = await self._items(request)
        return self.write(module, items, mode="insert" if request.method == "POST" else "update")

    async def single(self, request: Request) -> Response:
        """``/{module}/{id}``: one record with its subforms (GET), update (PUT), delete."""
        module = self._module(request)
        rid = request.path_params["id"]
        if request.method == "DELETE":
            return self.delete_records(module, [rid])
        if request.method == "PUT":
            items = await self._items(request)
            for item in items:
                item["id"] = rid
            return self.write(module, items, mode="update")
        with self.sb.lock:
            record = self.sb.org.records[module.api_name].get(rid)
            if record is None:
                return reply(204)
            return reply(200, {"data": [self.sb.org.render(module, record)]})

    async def upsert(self, request: Request) -> Response:
        """``/{module}/upsert`` with ``duplicate_check_fields``."""
        module = self._module(request)
        body = await self._body(request)
        checks = body.get("duplicate_check_fields")
        if checks is not None and (
            not isinstance(checks, list) or any(c not in module.by_name for c in checks)
        ):
            return fail(400, "INVALID_DATA", "invalid data", api_name="duplicate_check_fields")
        return self.write(module, self._data(body), mode="upsert", checks=checks)

    async def _body(self, request: Request) -> dict[str, Any]:
        try:
            body = json.loads(await request.body(), parse_float=Decimal)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise BodyError(fail(400, "INVALID_DATA", "body is not valid JSON")) from None
        if not isinstance(body, dict):
            raise BodyError(fail(400, "INVALID_DATA", "body must be a JSON object"))
        return body

    def _data(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        data = body.get("data")
        if not isinstance(data, list) or not data:
            raise BodyError(
                fail(
                    400,
                    "REQUIRED_PARAM_MISSING",
                    "One of the expected parameter is missing",
                    param_name="data",
                )
            )
        if len(data) > MAX_BATCH:
            raise BodyError(
                fail(
                    400,
                    "LIMIT_EXCEEDED",
                    "the number of records exceeds the limit",
                    limit=MAX_BATCH,
                    api_name="data",
                )
            )
        return data

    async def _items(self, request: Request) -> list[dict[str, Any]]:
        return self._data(await self._body(request))

    def write(
        self, module: ModuleDef, items: list[Any], *, mode: str, checks: list[str] | None = None
    ) -> Response:
        """Apply each item alone; answer per item, in order, with 201/200/207/400."""
        results: list[dict[str, Any]] = []
        with self.sb.lock:
            for index, item in enumerate(items):
                try:
                    results.append(self._write_one(module, item, index, mode, checks))
                except WriteRefused as refused:
                    results.append(refused.item)
        ok = [r["status"] == "success" for r in results]
        if all(ok):
            status = (
                201
                if mode == "insert" or all(r.get("action") == "insert" for r in results)
                else 200
            )
        else:
            status = 207 if any(ok) else 400
        return reply(status, {"data": results})

    def _write_one(
        self, module: ModuleDef, item: Any, index: int, mode: str, checks: list[str] | None
    ) -> dict[str, Any]:
        org = self.sb.org
        path = f"$.data[{index}]"
        if not isinstance(item, dict):
            raise WriteRefused(
                record_error("INVALID_DATA", "invalid data", api_name="data", json_path=path)
            )
        store = org.records[module.api_name]
        target = None
        duplicate_field = None
        if item.get("id") is not None:
            target = store.get(str(item["id"]))
            if target is None:
                raise WriteRefused(
                    record_error(
                        "INVALID_DATA",
                        "the id given seems to be invalid",
                        api_name="id",
                        json_path=f"{path}.id",
                    )
                )
        elif mode == "update":
            raise WriteRefused(
                record_error(
                    "MANDATORY_NOT_FOUND",
                    "required field not found",
                    api_name="id",
                    json_path=f"{path}.id",
                )
            )
        elif mode == "upsert":
            for name in checks or module.unique_fields:
                found = org.find(module, name, item.get(name))
                if found is not None:
                    target, duplicate_field = found, name
                    break
        saved = org.apply(module, item, index, target)
        details = {
            "Modified_Time": org.fmt(saved["Modified_Time"]),
            "Modified_By": {"name": org.user["name"], "id": org.user["id"]},
            "Created_Time": org.fmt(saved["Created_Time"]),
            "id": saved["id"],
            "Created_By": {"name": org.user["name"], "id": org.user["id"]},
        }
        answer: dict[str, Any] = {"code": "SUCCESS", "details": details, "status": "success"}
        answer["message"] = "record updated" if target is not None else "record added"
        if mode == "upsert":
            answer["action"] = "update" if target is not None else "insert"
            answer["duplicate_field"] = duplicate_field
        return answer

    def delete_records(self, module: ModuleDef, ids: list[str]) -> Response:
        """Delete by ids (at most 100), each answered alone; deletions go to the deleted list."""
        ids = [i for i in ids if i]
        if not ids:
            return fail(
                400,
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                param_name="ids",
            )
        if len(ids) > MAX_BATCH:
            return fail(
                400,
                "LIMIT_EXCEEDED",
                "the number of records exceeds the limit",
                limit=MAX_BATCH,
                param_name="ids",
            )
        results = []
        with self.sb.lock:
            for rid in ids:
                if self.sb.org.records[module.api_name].get(rid) is None:
                    results.append(
                        record_error("INVALID_DATA", "the id given seems to be invalid", id=rid)
                    )
                    continue
                self.sb.remove(module.api_name, rid)
                results.append(
                    {
                        "code": "SUCCESS",
                        "details": {"id": rid},
                        "message": "record deleted",
                        "status": "success",
                    }
                )
        ok = [r["status"] == "success" for r in results]
        return reply(200 if all(ok) else 207 if any(ok) else 400, {"data": results})

    def list_query(self, request: Request, module: ModuleDef) -> ListQuery:
        """The list parameters, checked in Zoho's order; ``BodyError`` with its code if bad."""
        q = request.query_params
        names = [f for f in (q.get("fields") or "").split(",") if f]
        if not names and request.path_params["version"] not in ("v2", "v2.1"):
            raise BodyError(
                fail(
                    400,
                    "REQUIRED_PARAM_MISSING",
                    "One of the expected parameter is missing",
                    param_name="fields",
                )
            )
        if len(names) > MAX_FIELDS:
            raise BodyError(
                fail(400, "LIMIT_EXCEEDED", "limit exceeded", limit=MAX_FIELDS, param_name="fields")
            )
        unknown = [f for f in names if f not in module.by_name and f != "id"]
        if unknown:
            raise BodyError(
                fail(400, "INVALID_DATA", "invalid data", param_name="fields", api_name=unknown[0])
            )
        try:
            per_page, page = int(q.get("per_page", "200")), int(q.get("page", "1"))
        except ValueError:
            raise BodyError(
                fail(400, "INVALID_DATA", "invalid data", param_name="per_page")
            ) from None
        if not 1 <= per_page <= 200:
            raise BodyError(fail(400, "INVALID_DATA", "invalid data", param_name="per_page"))
        sort_by, sort_order = q.get("sort_by", "id"), q.get("sort_order", "desc")
        if sort_by not in SORTABLE:
            raise BodyError(
                fail(
                    400,
                    "INVALID_DATA",
                    "invalid data",
                    param_name="sort_by",
                    supported_values=list(SORTABLE),
                )
            )
        if sort_order not in ("asc", "desc"):
            raise BodyError(
                fail(
                    400,
                    "INVALID_DATA",
                    "invalid data",
                    param_name="sort_order",
                    supported_values=["asc", "desc"],
                )
            )
        token = q.get("page_token")
        for first, second in (("page", "page_token"), ("cvid", "sort_by")):
            if q.get(first) and q.get(second):
                raise BodyError(
                    fail(
                        400,
                        "AMBIGUITY_DURING_PROCESSING",
                        "ambiguity while processing the request",
                        ambiguity_due_to=[{"param_name": first}, {"param_name": second}],
                    )
                )
        ims_text = request.headers.get("if-modified-since")
        ims = None
        if ims_text:
            try:
                ims = datetime.fromisoformat(ims_text.strip())
            except ValueError:
                raise BodyError(
                    fail(400, "INVALID_DATA", "invalid data", api_name="If-Modified-Since")
                ) from None
            ims = ims if ims.tzinfo else ims.replace(tzinfo=self.sb.org.tz)
        binding = (
            module.api_name,
            tuple(names),
            per_page,
            sort_by,
            sort_order,
            ims_text,
            q.get("ids"),
        )
        return ListQuery(
            names, per_page, page, sort_by, sort_order, token, ims, q.get("ids"), binding
        )

    def window(self, query: ListQuery) -> tuple[int, int]:
        """The slice of the sorted records a page number or page token points at."""
        sb = self.sb
        if not query.token:
            start = (query.page - 1) * query.per_page
            if start >= sb.discrete_limit:
                raise BodyError(
                    fail(
                        400,
                        "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                        f"You can only get the first {sb.discrete_limit} records without using page_token param",
                        limit=sb.discrete_limit,
                    )
                )
            return start, min(start + query.per_page, sb.discrete_limit)
        state = self.page_tokens.get(query.token)
        if state is None:
            raise BodyError(fail(400, "INVALID_DATA", "invalid data", param_name="page_token"))
        if state.expires <= sb.clock.now():
            raise BodyError(
                fail(
                    400,
                    "EXPIRED_VALUE",
                    "the page token has expired",
                    api_name="page_token",
                    json_path="page_token",
                )
            )
        if state.binding != query.binding:
            raise BodyError(
                fail(
                    400,
                    "TOKEN_BOUND_DATA_MISMATCH",
                    "the parameters do not match the page token",
                    param_name="page_token",
                )
            )
        if state.offset >= sb.token_limit:
            raise BodyError(
                fail(
                    400,
                    "PAGINATION_LIMIT_EXCEEDED",
                    "pagination limit exceeded",
                    param_name="page_token",
                )
            )
        return state.offset, min(state.offset + query.per_page, sb.token_limit)

    def list_records(self, request: Request, module: ModuleDef) -> Response:
        """``GET /{module}``: fields, paging, sorting, If-Modified-Since, page tokens."""
        query = self.list_query(request, module)
        sb = self.sb
        with sb.lock:
            start, end = self.window(query)
            rows = list(sb.org.records[module.api_name].values())
            if query.ids:
                allowed = set(query.ids.split(","))
                rows = [r for r in rows if r["id"] in allowed]
            if query.ims is not None:
                rows = [r for r in rows if r["Modified_Time"] >= query.ims]
            if not rows:
                return reply(304 if query.ims is not None else 204)
            by = query.sort_by
            rows.sort(
                key=(lambda r: (r[by], int(r["id"]))) if by != "id" else (lambda r: int(r["id"])),
                reverse=query.sort_order == "desc",
            )
            more = end < len(rows)
            next_token = expiry = None
            if more:
                next_token = secrets.token_hex(24)
                expires = sb.clock.now() + TOKEN_TTL
                self.page_tokens[next_token] = PageToken(query.binding, end, expires)
                expiry = sb.org.fmt(expires)
            shown = query.fields or [f.api_name for f in module.fields]
            data = [sb.org.render(module, r, shown) for r in rows[start:end]]
        if not data:
            return reply(204)
        info = {
            "call": False,
            "per_page": query.per_page,
            "next_page_token": next_token,
            "count": len(data),
            "sort_by": query.sort_by,
            "page": 1 if query.token else query.page,
            "previous_page_token": None,
            "page_token_expiry": expiry,
            "sort_order": query.sort_order,
            "email": False,
            "more_records": more,
        }
        return reply(200, {"data": data, "info": info})

    async def deleted(self, request: Request) -> Response:
        """``/{module}/deleted?type=all|recycle|permanent``; 204 when nothing."""
        module = self._module(request)
        kind = request.query_params.get("type", "all")
        if kind not in ("all", "recycle", "permanent"):
            return fail(
                400,
                "PATTERN_NOT_MATCHED",
                "Please check whether the input values are correct",
                param_name="type",
            )
        per_page = min(int(request.query_params.get("per_page", "200")), 200)
        page = int(request.query_params.get("page", "1"))
        ims_text = request.headers.get("if-modified-since")
        with self.sb.lock:
            entries = [
                e for e in self.sb.org.deleted[module.api_name] if kind in ("all", e["type"])
            ]
            if ims_text:
                ims = datetime.fromisoformat(ims_text)
                entries = [e for e in entries if e["deleted_time"] >= ims]
            entries.sort(key=lambda e: (e["deleted_time"], e["id"]), reverse=True)
            chunk = entries[(page - 1) * per_page : page * per_page]
            data = [{**e, "deleted_time": self.sb.org.fmt(e["deleted_time"])} for e in chunk]
        if not data:
            return reply(204)
        more = page * per_page < len(entries)
        return reply(
            200,
            {
                "data": data,
                "info": {
                    "per_page": per_page,
                    "count": len(data),
                    "page": page,
                    "more_records": more,
                },
            },
        )

    async def count(self, request: Request) -> Response:
        """``/{module}/actions/count``."""
        module = self._module(request)
        with self.sb.lock:
            return reply(200, {"count": len(self.sb.org.records[module.api_name])})

    async def coql(self, request: Request) -> Response:
        """``POST /coql`` over modules and subform modules."""
        body = await self._body(request)
        try:
            query = coql.parse(body.get("select_query", ""))
        except coql.CoqlError as exc:
            return fail(400, exc.code, str(exc), **exc.details)
        module = self.sb.org.module(query.module)
        if module is None:
            return fail(
                400, "INVALID_QUERY", "invalid query formed", clause="from", api_name=query.module
            )
        unknown = [f for f in query.fields if f not in module.by_name and f not in ("id", "*")]
        if unknown:
            return fail(
                400, "INVALID_QUERY", "invalid query formed", clause="select", api_name=unknown[0]
            )
        with self.sb.lock:
            rows = self.sb.rows(module)
            data, more = coql.run(query, rows)
        if not data:
            return reply(204)
        return reply(200, {"data": data, "info": {"count": len(data), "more_records": more}})


class BodyError(Exception):
    """A request refused as a whole; carries the finished response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response
