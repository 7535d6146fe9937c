"""Issue routes: create, bulk create, get/edit/delete, transitions, remote links, properties."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors.jira.sandbox.base import Refusal, RouteBase, _body, _list_param, envelope
from connectors.jira.sandbox.model import RESOLUTIONS, STATUSES
from connectors.jira.sandbox.render import issue_json, status_json
from connectors.jira.sandbox.store import WriteRefused

BULK_LIMIT = 50


class IssueRoutes(RouteBase):
    """Everything under ``issue``."""

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
