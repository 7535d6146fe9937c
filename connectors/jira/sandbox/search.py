"""Search routes: Cloud's ``search/jql`` (tokens, no total), DC's ``search`` (startAt/total).

Cloud's old ``search`` answers 410 Gone, as since CHANGE-2046. A ``nextPageToken``
is opaque to clients; here it carries the offset, a hash of the query and when it
was issued, and is refused for another query or after seven days.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors.jira.sandbox.base import Refusal, RouteBase, _body, _int, _list_param, _split
from connectors.jira.sandbox.model import User
from connectors.jira.sandbox.render import issue_json

TOKEN_LIFETIME = timedelta(days=7)


class SearchRoutes(RouteBase):
    """JQL search in both flavours' shapes."""

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


def _query_hash(params: dict[str, Any]) -> str:
    return hashlib.sha1(str(params["jql"]).encode(), usedforsecurity=False).hexdigest()[:12]
