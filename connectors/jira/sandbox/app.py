"""The HTTP surface of the simulated site: routes, authentication, envelopes, paging.

One set of handlers serves ``/rest/api/2``, ``/rest/api/3`` (Cloud only) and
``/rest/api/latest``; the version decides only how rich text is rendered and
accepted. Cloud authenticates Basic ``email:api_token``; Data Center a Bearer
personal access token (Basic is refused there, as on DC 11 by default), and
after repeated failures answers ``AUTHENTICATION_DENIED`` as its CAPTCHA does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.jira.sandbox import jql
from connectors.jira.sandbox.model import (
    ISSUE_TYPES,
    RESOLUTIONS,
    STATUSES,
    User,
)
from connectors.jira.sandbox.render import (
    View,
    field_list_json,
    issue_json,
    issuetype_json,
    project_json,
    status_json,
    user_json,
)
from connectors.jira.sandbox.store import WriteRefused

if TYPE_CHECKING:
    from connectors.jira.sandbox.core import JiraSandbox

Handler = Callable[[Request], Awaitable[Response]]
API = "/rest/api/{version}"
BULK_LIMIT = 50
TOKEN_LIFETIME = timedelta(days=7)


class Refusal(Exception):
    """An error answer, raised from deep inside a handler."""

    def __init__(
        self,
        status: int,
        messages: list[str] | None = None,
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.messages = messages or []
        self.errors = errors or {}
        self.headers = headers or {}
        super().__init__(f"{status}: {self.messages} {self.errors}")


def envelope(messages: list[str], errors: dict[str, str] | None = None) -> dict[str, Any]:
    """Jira's error body."""
    return {"errorMessages": messages, "errors": errors or {}}


class JiraApp:
    """Builds the Starlette app around a ``JiraSandbox``."""

    def __init__(self, sandbox: JiraSandbox) -> None:
        self.sb = sandbox

    # -- plumbing ----------------------------------------------------------------------
    def build(self) -> Starlette:
        """The routed application."""
        r = self._route
        routes = [
            r("/rest/auth/1/session", self.session, ["GET"], anonymous=True),
            r("/rest/webhooks/1.0/webhook", self.webhooks, ["GET", "POST"], versioned=False),
            r(
                "/rest/webhooks/1.0/webhook/{hook_id}",
                self.webhook_delete,
                ["DELETE"],
                versioned=False,
            ),
            r(f"{API}/serverInfo", self.server_info, ["GET"], anonymous=True),
            r(f"{API}/myself", self.myself, ["GET"]),
            r(f"{API}/field", self.fields, ["GET"]),
            r(f"{API}/project", self.project_list, ["GET"]),
            r(f"{API}/project/search", self.project_search, ["GET"]),
            r(f"{API}/project/{{key}}", self.project_get, ["GET"]),
            r(f"{API}/project/{{key}}/statuses", self.project_statuses, ["GET"]),
            r(f"{API}/issuetype", self.issue_types, ["GET"]),
            r(f"{API}/resolution", self.resolutions, ["GET"]),
            r(f"{API}/status", self.statuses, ["GET"]),
            r(f"{API}/issue/createmeta/{{key}}/issuetypes", self.createmeta, ["GET"]),
            r(f"{API}/issue", self.issue_create, ["POST"]),
            r(f"{API}/issue/bulk", self.issue_bulk, ["POST"]),
            r(f"{API}/issue/{{key}}", self.issue_one, ["GET", "PUT", "DELETE"]),
            r(f"{API}/issue/{{key}}/transitions", self.transitions, ["GET", "POST"]),
            r(f"{API}/issue/{{key}}/remotelink", self.remote_links, ["GET", "POST", "DELETE"]),
            r(f"{API}/issue/{{key}}/properties", self.property_keys, ["GET"]),
            r(
                f"{API}/issue/{{key}}/properties/{{prop}}",
                self.property_one,
                ["GET", "PUT", "DELETE"],
            ),
            r(f"{API}/search", self.search_legacy, ["GET", "POST"], anonymous=True),
            r(f"{API}/search/jql", self.search_jql, ["GET", "POST"], anonymous=True),
            r(f"{API}/search/approximate-count", self.approximate_count, ["POST"]),
        ]
        return Starlette(routes=routes)

    def _route(
        self,
        path: str,
        handler: Handler,
        methods: list[str],
        *,
        anonymous: bool = False,
        versioned: bool = True,
    ) -> Route:
        async def endpoint(request: Request) -> Response:
            try:
                if versioned and "version" in request.path_params:
                    self._check_version(request)
                request.state.user = self._authenticate(request, anonymous=anonymous)
                with self.sb.lock:
                    self.sb.base_url = str(request.base_url).rstrip("/")
                response = await handler(request)
            except Refusal as exc:
                response = JSONResponse(
                    envelope(exc.messages, exc.errors), exc.status, headers=exc.headers
                )
            except WriteRefused as exc:
                response = JSONResponse(envelope(exc.messages, exc.errors), 400)
            except jql.JqlError as exc:
                response = JSONResponse(envelope([str(exc)]), 400)
            self._decorate(request, response)
            return response

        return Route(path, endpoint, methods=methods)

    def _check_version(self, request: Request) -> None:
        version = request.path_params["version"]
        allowed = ("2", "3", "latest") if self.sb.flavour == "cloud" else ("2", "latest")
        if version not in allowed:
            raise Refusal(404, ["null for uri: " + str(request.url)])

    def _decorate(self, request: Request, response: Response) -> None:
        user = getattr(request.state, "user", None)
        if user is not None and request.cookies.get("JSESSIONID") not in self.sb.sessions:
            session = secrets.token_hex(16)
            with self.sb.lock:
                self.sb.sessions[session] = user.account_id
            response.set_cookie("JSESSIONID", session, httponly=True, path="/")
        faults = self.sb.faults
        if faults.rate_limit is not None:
            response.headers["X-RateLimit-Limit"] = str(faults.rate_burst)
            response.headers["X-RateLimit-Remaining"] = str(max(0, int(faults._tokens)))
            if faults._tokens < 0.2 * faults.rate_burst:
                response.headers["X-RateLimit-NearLimit"] = "true"

    def view(self, request: Request) -> View:
        """Who is asking and through which API version."""
        user: User | None = request.state.user
        version = request.path_params.get("version", "2")
        version = "2" if version == "latest" else version
        shown = user or self.sb.default_user
        return View(self.sb.base_url, version, self.sb.flavour, shown, ZoneInfo(shown.time_zone))

    # -- authentication ----------------------------------------------------------------
    def _authenticate(self, request: Request, *, anonymous: bool) -> User | None:
        header = request.headers.get("authorization", "")
        with self.sb.lock:
            if header:
                user = self._credential(header)
                if user is None:
                    self._refuse_login()
                self.sb.failed_logins = 0
                return user
            session = request.cookies.get("JSESSIONID")
            if session and session in self.sb.sessions:
                return self.sb.store.users[self.sb.sessions[session]]
        if anonymous and (self.sb.anonymous_access or request.url.path.endswith("serverInfo")):
            return None
        self._refuse_login(anonymous=True)
        raise AssertionError("unreachable")

    def _credential(self, header: str) -> User | None:
        scheme, _, value = header.partition(" ")
        users = self.sb.store.users.values()
        if scheme.lower() == "basic" and self.sb.flavour == "cloud":
            try:
                email, _, token = base64.b64decode(value).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return next((u for u in users if u.email == email and u.api_token == token), None)
        if scheme.lower() == "bearer" and self.sb.flavour == "dc":
            return next((u for u in users if u.pat == value), None)
        return None

    def _refuse_login(self, *, anonymous: bool = False) -> None:
        if self.sb.flavour == "cloud":
            raise Refusal(401, ["Client must be authenticated to access this resource."])
        if not anonymous:
            self.sb.failed_logins += 1
        if self.sb.failed_logins > self.sb.captcha_after:
            raise Refusal(
                403,
                ["CAPTCHA_CHALLENGE; login denied. Log in through the web interface first."],
                headers={
                    "X-Seraph-LoginReason": "AUTHENTICATION_DENIED",
                    "X-Authentication-Denied-Reason": "CAPTCHA_CHALLENGE",
                },
            )
        raise Refusal(
            401,
            ["You are not authenticated. Authentication required to perform this operation."],
            headers={
                "X-Seraph-LoginReason": "AUTHENTICATED_FAILED" if not anonymous else "OK",
                "WWW-Authenticate": 'OAuth realm="jira"',
            },
        )

    def _user(self, request: Request) -> User:
        user: User | None = request.state.user
        if user is None:
            raise Refusal(
                401,
                ["You are not authenticated. Authentication required to perform this operation."],
            )
        return user

    # -- identity and catalogue ------------------------------------------------------------
    async def session(self, request: Request) -> Response:
        """``/rest/auth/1/session``: who the session belongs to."""
        user = self._user(request)
        return JSONResponse(
            {
                "self": f"{self.sb.base_url}/rest/api/latest/user?username={user.name}",
                "name": user.name,
                "loginInfo": {"failedLoginCount": 0},
            }
        )

    async def server_info(self, request: Request) -> Response:
        """``serverInfo``: version numbers and deployment type, as clients require."""
        now = self.sb.clock.now()
        view = self.view(request)
        cloud = self.sb.flavour == "cloud"
        return JSONResponse(
            {
                "baseUrl": self.sb.base_url,
                "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.15",
                "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 15],
                "deploymentType": "Cloud" if cloud else "Server",
                "buildNumber": 100289 if cloud else 9120015,
                "buildDate": "2025-11-20T00:00:00.000+0000",
                "serverTime": _ts(now, view),
                "serverTimeZone": "Etc/UTC" if cloud else "Asia/Shanghai",
                "scmInfo": "2d1a8f2",
                "serverTitle": "SyncHub sandbox Jira",
            }
        )

    async def myself(self, request: Request) -> Response:
        """``myself``: the authenticated user, with the time zone JQL dates are read in."""
        user = self._user(request)
        return JSONResponse(user_json(user, self.view(request)))

    async def fields(self, request: Request) -> Response:
        """``field``: every field with its JQL clause names."""
        return JSONResponse(field_list_json(self.sb.flavour))

    async def project_list(self, request: Request) -> Response:
        """``project``: the plain array form."""
        view = self.view(request)
        return JSONResponse([project_json(p, view) for p in self.sb.store.projects.values()])

    async def project_search(self, request: Request) -> Response:
        """``project/search``: the paged bean (at most 100 per page)."""
        view = self.view(request)
        start = _int(request.query_params.get("startAt"), 0)
        size = min(_int(request.query_params.get("maxResults"), 50), 100)
        keys = set(request.query_params.getlist("keys"))
        projects = [p for p in self.sb.store.projects.values() if not keys or p.key in keys]
        page = projects[start : start + size]
        last = start + len(page) >= len(projects)
        body: dict[str, Any] = {
            "self": str(request.url),
            "maxResults": size,
            "startAt": start,
            "total": len(projects),
            "isLast": last,
            "values": [project_json(p, view) for p in page],
        }
        if not last:
            body["nextPage"] = f"{view.api}/project/search?startAt={start + size}&maxResults={size}"
        return JSONResponse(body)

    async def project_get(self, request: Request) -> Response:
        """``project/{key}``: one project; ``expand=issueTypes`` lists its types."""
        project = self._project(request)
        return JSONResponse(
            project_json(project, self.view(request), expand=request.query_params.get("expand", ""))
        )

    async def project_statuses(self, request: Request) -> Response:
        """``project/{key}/statuses``: statuses per issue type."""
        self._project(request)
        view = self.view(request)
        return JSONResponse(
            [
                {
                    **issuetype_json(t, view),
                    "statuses": [status_json(s, view) for s in STATUSES.values()],
                }
                for t in ISSUE_TYPES.values()
            ]
        )

    async def issue_types(self, request: Request) -> Response:
        """``issuetype``: every issue type."""
        view = self.view(request)
        return JSONResponse([issuetype_json(t, view) for t in ISSUE_TYPES.values()])

    async def resolutions(self, request: Request) -> Response:
        """``resolution``: every resolution."""
        view = self.view(request)
        return JSONResponse(
            [
                {
                    "self": f"{view.api}/resolution/{r.id}",
                    "id": r.id,
                    "name": r.name,
                    "description": r.description,
                }
                for r in RESOLUTIONS.values()
            ]
        )

    async def statuses(self, request: Request) -> Response:
        """``status``: every status."""
        view = self.view(request)
        return JSONResponse([status_json(s, view) for s in STATUSES.values()])

    async def createmeta(self, request: Request) -> Response:
        """``issue/createmeta/{project}/issuetypes``: Cloud's and DC's shapes differ."""
        self._project(request)
        view = self.view(request)
        types = [issuetype_json(t, view) for t in ISSUE_TYPES.values()]
        if self.sb.flavour == "cloud":
            return JSONResponse(
                {"issueTypes": types, "startAt": 0, "maxResults": 50, "total": len(types)}
            )
        return JSONResponse(
            {"values": types, "startAt": 0, "maxResults": 50, "total": len(types), "isLast": True}
        )

    def _project(self, request: Request) -> Any:
        project = self.sb.store.project(request.path_params["key"])
        if project is None:
            raise Refusal(
                404, [f"No project could be found with key '{request.path_params['key']}'."]
            )
        return project

    # -- issues ------------------------------------------------------------------------------
    async def issue_create(self, request: Request) -> Response:
        """``POST issue``: 201 with id/key/self only."""
        user = self._user(request)
        payload = await _body(request)
        view = self.view(request)
        with self.sb.lock:
            issue = self.sb.store.create(payload, adf=view.adf, user=user)
        return JSONResponse(
            {"id": str(issue.id), "key": issue.key, "self": f"{view.api}/issue/{issue.id}"}, 201
        )

    async def issue_bulk(self, request: Request) -> Response:
        """``POST issue/bulk``: at most 50; 201 if any succeeded, 400 if all failed."""
        user = self._user(request)
        payload = await _body(request)
        updates = payload.get("issueUpdates") if isinstance(payload, dict) else None
        if not isinstance(updates, list) or not updates:
            raise Refusal(400, ["Issue updates must be a non-empty list."])
        if len(updates) > BULK_LIMIT:
            raise Refusal(
                400, [f"The number of issues to create is over the limit of {BULK_LIMIT}."]
            )
        view = self.view(request)
        created, errors = [], []
        with self.sb.lock:
            for index, item in enumerate(updates):
                try:
                    issue = self.sb.store.create(item, adf=view.adf, user=user)
                except WriteRefused as exc:
                    errors.append(
                        {
                            "status": 400,
                            "failedElementNumber": index,
                            "elementErrors": envelope(exc.messages, exc.errors),
                        }
                    )
                else:
                    created.append(
                        {
                            "id": str(issue.id),
                            "key": issue.key,
                            "self": f"{view.api}/issue/{issue.id}",
                        }
                    )
        return JSONResponse({"issues": created, "errors": errors}, 201 if created else 400)

    async def issue_one(self, request: Request) -> Response:
        """``GET|PUT|DELETE issue/{key}``."""
        view = self.view(request)
        with self.sb.lock:
            issue = self._issue(request)
            if request.method == "GET":
                fields = _list_param(request, "fields") or ["*all"]
                props = _list_param(request, "properties")
                return JSONResponse(
                    issue_json(issue, view, self.sb.store, fields=fields, properties=props)
                )
            user = self._user(request)
            if request.method == "DELETE":
                self.sb.store.delete(issue, user)
                return Response(status_code=204)
        payload = await _body(request)
        with self.sb.lock:
            issue = self._issue(request)
            self.sb.store.edit(issue, payload, adf=view.adf, user=user)
            if request.query_params.get("returnIssue") == "true":
                return JSONResponse(issue_json(issue, view, self.sb.store, fields=["*all"]))
        return Response(status_code=204)

    def _issue(self, request: Request) -> Any:
        if request.state.user is None:
            raise Refusal(404, ["Issue does not exist or you do not have permission to see it."])
        issue = self.sb.store.find(request.path_params["key"])
        if issue is None:
            raise Refusal(404, ["Issue does not exist or you do not have permission to see it."])
        return issue

    async def transitions(self, request: Request) -> Response:
        """``issue/{key}/transitions``: list those valid now, or perform one (204)."""
        view = self.view(request)
        if request.method == "POST":
            user = self._user(request)
            payload = await _body(request)
            with self.sb.lock:
                self.sb.store.transition(self._issue(request), payload, user)
            return Response(status_code=204)
        with self.sb.lock:
            issue = self._issue(request)
            offered = self.sb.store.transitions(issue)
        wanted = request.query_params.get("transitionId")
        expand = "transitions.fields" in request.query_params.get("expand", "")
        out = []
        for t in offered:
            if wanted and t.id != wanted:
                continue
            item: dict[str, Any] = {
                "id": t.id,
                "name": t.name,
                "to": status_json(STATUSES[t.target], view),
                "hasScreen": t.sets_resolution,
                "isGlobal": False,
                "isInitial": False,
                "isAvailable": True,
                "isConditional": False,
                "isLooped": False,
            }
            if expand:
                item["fields"] = (
                    {
                        "resolution": {
                            "required": False,
                            "schema": {"type": "resolution", "system": "resolution"},
                            "name": "Resolution",
                            "key": "resolution",
                            "operations": ["set"],
                            "allowedValues": [
                                {"id": r.id, "name": r.name} for r in RESOLUTIONS.values()
                            ],
                        }
                    }
                    if t.sets_resolution
                    else {}
                )
            out.append(item)
        return JSONResponse({"expand": "transitions", "transitions": out})

    async def remote_links(self, request: Request) -> Response:
        """``issue/{key}/remotelink``: list (``globalId`` filter), upsert by globalId, delete."""
        view = self.view(request)
        global_id = request.query_params.get("globalId")
        if request.method == "POST":
            self._user(request)
            payload = await _body(request)
            with self.sb.lock:
                issue = self._issue(request)
                created, link = self.sb.store.upsert_remote_link(issue, payload)
            body = {"id": link.id, "self": f"{view.api}/issue/{issue.key}/remotelink/{link.id}"}
            return JSONResponse(body, 201 if created else 200)
        with self.sb.lock:
            issue = self._issue(request)
            if request.method == "DELETE":
                if not global_id:
                    raise Refusal(400, ["The globalId parameter is required."])
                before = len(issue.remote_links)
                issue.remote_links = [k for k in issue.remote_links if k.global_id != global_id]
                if len(issue.remote_links) == before:
                    raise Refusal(404, [f"No remote link with globalId '{global_id}'."])
                return Response(status_code=204)
            links = [k for k in issue.remote_links if not global_id or k.global_id == global_id]
        links_json: list[dict[str, Any]] = [
            {
                "id": k.id,
                "self": f"{view.api}/issue/{issue.key}/remotelink/{k.id}",
                "globalId": k.global_id,
                "application": k.application,
                "relationship": k.relationship,
                "object": k.object,
            }
            for k in links
        ]
        if global_id:
            if not links_json:
                raise Refusal(404, [f"No remote link with globalId '{global_id}'."])
            return JSONResponse(links_json[0])
        return JSONResponse(links_json)

    async def property_keys(self, request: Request) -> Response:
        """``issue/{key}/properties``: the property keys."""
        view = self.view(request)
        with self.sb.lock:
            issue = self._issue(request)
            keys = sorted(issue.properties)
        return JSONResponse(
            {
                "keys": [
                    {"key": k, "self": f"{view.api}/issue/{issue.id}/properties/{k}"} for k in keys
                ]
            }
        )

    async def property_one(self, request: Request) -> Response:
        """``issue/{key}/properties/{prop}``: 201 created / 200 updated, 32768 chars at most."""
        prop = request.path_params["prop"]
        if request.method == "PUT":
            self._user(request)
            raw = await request.body()
            if len(raw) > 32768:
                raise Refusal(400, ["The property value is too long (32768 characters at most)."])
            value = await _body(request)
            with self.sb.lock:
                issue = self._issue(request)
                existed = prop in issue.properties
                issue.properties[prop] = value
            return Response(status_code=200 if existed else 201)
        with self.sb.lock:
            issue = self._issue(request)
            if prop not in issue.properties:
                raise Refusal(404, [f"The property with key '{prop}' does not exist."])
            if request.method == "DELETE":
                issue.properties.pop(prop)
                return Response(status_code=204)
            return JSONResponse({"key": prop, "value": issue.properties[prop]})

    # -- search ----------------------------------------------------------------------------
    async def _search_params(self, request: Request) -> dict[str, Any]:
        if request.method == "POST":
            body = await _body(request)
            if not isinstance(body, dict):
                raise Refusal(400, ["Request body must be a JSON object."])
            fields = body.get("fields")
            return {
                "jql": body.get("jql") or "",
                "token": body.get("nextPageToken"),
                "start": _int(body.get("startAt"), 0),
                "size": body.get("maxResults"),
                "fields": fields if isinstance(fields, list) else _split(fields),
                "properties": body.get("properties") or [],
                "reconcile": body.get("reconcileIssues") or [],
            }
        q = request.query_params
        return {
            "jql": q.get("jql") or "",
            "token": q.get("nextPageToken"),
            "start": _int(q.get("startAt"), 0),
            "size": q.get("maxResults"),
            "fields": _list_param(request, "fields"),
            "properties": _list_param(request, "properties") or [],
            "reconcile": _list_param(request, "reconcileIssues") or [],
        }

    def _run(self, request: Request, params: dict[str, Any]) -> list[Any]:
        user: User | None = request.state.user
        if user is None:  # anonymous: the pitfall of "no results" instead of 401
            return []
        try:
            reconcile = {int(i) for i in params["reconcile"]}
        except (TypeError, ValueError):
            raise Refusal(400, ["reconcileIssues must be a list of issue ids."]) from None
        if len(reconcile) > 50:
            raise Refusal(400, ["At most 50 issues can be reconciled."])
        with self.sb.lock:
            return self.sb.store.search(params["jql"], user, reconcile=reconcile)

    async def search_jql(self, request: Request) -> Response:
        """Cloud's ``search/jql``: ``nextPageToken``/``isLast``, no total, default fields = id."""
        if self.sb.flavour != "cloud":
            raise Refusal(404, ["null for uri: " + str(request.url)])
        params = await self._search_params(request)
        if self.sb.store.is_unbounded(params["jql"]):
            raise Refusal(
                400,
                [
                    "Unbounded JQL queries are not allowed here. Please add a search "
                    "restriction to your query."
                ],
            )
        fields = params["fields"] or ["id"]
        id_only = all(f in ("id", "key") for f in fields)
        cap = 5000 if id_only else self.sb.page_cap
        size = max(1, min(_int(params["size"], 50), cap))
        offset = self._token_offset(params)
        found = self._run(request, params)
        page = found[offset : offset + size]
        view = self.view(request)
        shown = None if id_only and fields == ["id"] else fields
        body: dict[str, Any] = {
            "issues": [
                {"id": str(i.id)}
                if shown is None
                else issue_json(
                    i, view, self.sb.store, fields=shown, properties=params["properties"]
                )
                for i in page
            ]
        }
        if offset + len(page) < len(found):
            body["nextPageToken"] = self._token(params, offset + len(page))
            body["isLast"] = False
        else:
            body["isLast"] = True
        return JSONResponse(body)

    def _token(self, params: dict[str, Any], offset: int) -> str:
        issued = int(self.sb.clock.now().timestamp())
        raw = json.dumps({"o": offset, "q": _query_hash(params), "t": issued}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _token_offset(self, params: dict[str, Any]) -> int:
        token = params["token"]
        if not token:
            return 0
        try:
            data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            offset, query, issued = int(data["o"]), data["q"], int(data["t"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise Refusal(400, ["The provided next page token is invalid or expired."]) from None
        age = self.sb.clock.now().timestamp() - issued
        if query != _query_hash(params) or age > TOKEN_LIFETIME.total_seconds():
            raise Refusal(400, ["The provided next page token is invalid or expired."])
        return offset

    async def search_legacy(self, request: Request) -> Response:
        """``search``: removed on Cloud (410); startAt/maxResults/total on Data Center."""
        if self.sb.flavour == "cloud":
            raise Refusal(
                410,
                [
                    "The requested API has been removed. Please migrate to the "
                    "/rest/api/3/search/jql API. A full migration guideline is "
                    "available at https://developer.atlassian.com/changelog/#CHANGE-2046"
                ],
            )
        params = await self._search_params(request)
        start = max(0, params["start"])
        size = max(0, min(_int(params["size"], 50), self.sb.dc_max_results))
        found = self._run(request, params)
        page = found[start : start + size]
        view = self.view(request)
        fields = params["fields"] or ["*navigable"]
        return JSONResponse(
            {
                "expand": "schema,names",
                "startAt": start,
                "maxResults": size,
                "total": len(found),
                "issues": [
                    issue_json(
                        i, view, self.sb.store, fields=fields, properties=params["properties"]
                    )
                    for i in page
                ],
            }
        )

    async def approximate_count(self, request: Request) -> Response:
        """``search/approximate-count`` (Cloud)."""
        if self.sb.flavour != "cloud":
            raise Refusal(404, ["null for uri: " + str(request.url)])
        params = await self._search_params(request)
        if self.sb.store.is_unbounded(params["jql"]):
            raise Refusal(400, ["Unbounded JQL queries are not allowed here."])
        return JSONResponse({"count": len(self._run(request, params))})

    # -- webhooks --------------------------------------------------------------------------
    async def webhooks(self, request: Request) -> Response:
        """``/rest/webhooks/1.0/webhook``: list or register admin webhooks."""
        self._user(request)
        outbox = self.sb.outbox
        if request.method == "GET":
            return JSONResponse([_hook_json(h, self.sb.base_url) for h in outbox.webhooks.values()])
        body = await _body(request)
        if not isinstance(body, dict) or not body.get("url") or not body.get("events"):
            raise Refusal(400, ["A webhook needs a url and at least one event."])
        filters = body.get("filters") or {}
        hook = outbox.register(
            str(body["url"]),
            list(body["events"]),
            name=str(body.get("name", "")),
            jql=filters.get("issue-related-events-section"),
            secret=body.get("secret"),
        )
        return JSONResponse(_hook_json(hook, self.sb.base_url), 201)

    async def webhook_delete(self, request: Request) -> Response:
        """Remove an admin webhook."""
        self._user(request)
        hook_id = _int(request.path_params["hook_id"], -1)
        if self.sb.outbox.webhooks.pop(hook_id, None) is None:
            raise Refusal(404, ["Webhook not found."])
        return Response(status_code=204)


def _hook_json(hook: Any, base_url: str) -> dict[str, Any]:
    return {
        "self": f"{base_url}/rest/webhooks/1.0/webhook/{hook.id}",
        "name": hook.name,
        "url": hook.url,
        "events": hook.events,
        "enabled": hook.enabled,
        "filters": {"issue-related-events-section": hook.jql or ""},
    }


def _query_hash(params: dict[str, Any]) -> str:
    return hashlib.sha1(str(params["jql"]).encode(), usedforsecurity=False).hexdigest()[:12]


def _ts(value: Any, view: View) -> str:
    from connectors.jira.sandbox.model import jira_timestamp

    return jira_timestamp(value, view.zone)


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Refusal(400, [f"Unexpected character in request body: {exc}"]) from None


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _split(value: Any) -> list[str] | None:
    if value is None or value == "":
        return None
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _list_param(request: Request, name: str) -> list[str] | None:
    values = request.query_params.getlist(name)
    if not values:
        return None
    out: list[str] = []
    for value in values:
        out.extend(_split(value) or [])
    return out
