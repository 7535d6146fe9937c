"""Identity and catalogue routes: serverInfo, myself, fields, projects, types, webhooks."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors.jira.sandbox.base import Refusal, RouteBase, _body, _int, _ts
from connectors.jira.sandbox.model import ISSUE_TYPES, RESOLUTIONS, STATUSES
from connectors.jira.sandbox.render import (
    field_list_json,
    issuetype_json,
    project_json,
    status_json,
    user_json,
)


class CatalogueRoutes(RouteBase):
    """Who am I, what is this site, and its admin webhooks."""

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
