"""Helpers for the Jira integration tests: connectors, a request log."""

from __future__ import annotations

import json
from typing import Any

import httpx

from connectors.jira import JiraConnector
from connectors.sdk import Page, WriteRequest
from connectors.sdk.sandbox import SandboxServer
from connectors.testkit import SleepRecorder


class Recording(httpx.AsyncBaseTransport):
    """A real transport that also keeps every request (method, path, JSON body)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[tuple[str, str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.sent.append((request.method, request.url.path, body))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def jql(self) -> list[str]:
        """Every JQL query sent, in order."""
        return [
            b["jql"] for _, path, b in self.sent if path.endswith(("/search/jql", "/search")) and b
        ]


def connector(
    server: SandboxServer,
    *,
    sleep: SleepRecorder | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    **overrides: Any,
) -> JiraConnector:
    """A connector for the sandbox behind ``server``, config overridden by keyword."""
    config = {**server.connector_config(), **overrides}
    return JiraConnector(config, sleep=sleep or SleepRecorder(), transport=transport)


async def read_all(conn: JiraConnector, stream: str, since: Any = None) -> list[Page]:
    """Every page of one read."""
    return [page async for page in conn.read(stream, since)]


def ids(pages: list[Page]) -> list[str]:
    """Record ids in order, duplicates kept."""
    return [str(r["id"]) for p in pages for r in p.records]


def milestone(
    summary: str, epic_id: str, *, due: str = "2026-05-01", to: str | None = None, key: str = ""
) -> WriteRequest:
    """A milestone write as the outbound mapping shapes it."""
    data: dict[str, Any] = {
        "fields": {"summary": summary, "duedate": due, "parent": {"id": epic_id}}
    }
    if to is not None:
        data["transition_to"] = to
    return WriteRequest(data, key or f"hub-{summary.replace(' ', '-')}")
