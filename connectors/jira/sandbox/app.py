"""The HTTP surface of the simulated site: the routes, mounted once per API version.

One set of handlers serves ``/rest/api/2``, ``/rest/api/3`` (Cloud only) and
``/rest/api/latest``; the version decides only how rich text is rendered and
accepted. The route groups live in ``catalogue``, ``issues`` and ``search``;
``base`` holds authentication and the error envelope.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.jira.sandbox import jql
from connectors.jira.sandbox.base import API, Refusal, envelope
from connectors.jira.sandbox.catalogue import CatalogueRoutes
from connectors.jira.sandbox.issues import IssueRoutes
from connectors.jira.sandbox.search import SearchRoutes
from connectors.jira.sandbox.store import WriteRefused

Handler = Callable[[Request], Awaitable[Response]]


class JiraApp(CatalogueRoutes, IssueRoutes, SearchRoutes):
    """Builds the Starlette app around a ``JiraSandbox``."""

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
