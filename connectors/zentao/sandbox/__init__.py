"""A ZenTao REST v1 simulator over real HTTP, for tests, the demo and third-party clients.

Start it with ``synchub sandbox zentao --port N --json``. It serves
``{web_root}/api.php/v1/...`` the way ZenTao 18.x does (see ``api`` for the
quirks reproduced) and exposes the ``Sandbox`` control hooks the acceptance
suite drives. Options (keyword arguments) switch release-dependent behaviour.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from connectors.sdk.fakedata import Universe, build_universe
from connectors.sdk.sandbox import ASGIApp, Receive, Sandbox, Scope, Send
from connectors.zentao.sandbox.api import Api
from connectors.zentao.sandbox.render import Renderer, php_json
from connectors.zentao.sandbox.seed import (
    STAFF,
    plan_row,
    project_row,
    seed_products,
    seed_universe,
    seed_users,
    story_row,
    task_row,
)
from connectors.zentao.sandbox.store import ZERO_DATE, Store

STREAMS = ("projects", "executions", "plans", "stories", "tasks")
CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-credentials": "true",
    "access-control-allow-headers": (
        "Origin,X-Requested-With,Content-Type,Accept,Authorization,Token,Referer,User-Agent"
    ),
    "access-control-allow-methods": "GET,POST,PUT,DELETE,OPTIONS,PATCH",
}


@dataclass(slots=True)
class Options:
    """Release-dependent behaviour; the defaults are ZenTao 18.x open source."""

    web_root: str = ""
    account: str = "sync-bot"
    password: str = "Sandbox-2024!"
    token_ttl: float = 1440.0
    """Idle seconds before a session dies (PHP's default ``session.gc_maxlifetime``)."""
    fail_times: int = 6
    lock_minutes: int = 10
    past_end: Literal["first", "clamp"] = "first"
    string_numbers: bool = False
    error_style: Literal["mixed", "string"] = "mixed"
    project_put: Literal["newer", "older"] = "newer"
    """``older``: project PUT ignores ``code`` and ``budget`` (silently, with 200)."""
    server_zone: str = "Asia/Shanghai"


class ZentaoSandbox(Sandbox):
    """ZenTao REST v1 in memory; see the module docstring."""

    name = "zentao"

    def __init__(
        self,
        *,
        seed: int = 0,
        companies: int = 20,
        universe: Universe | None = None,
        **vendor_options: Any,
    ) -> None:
        super().__init__(seed=seed)
        self.options = Options(**vendor_options)
        self.options.web_root = self.options.web_root.rstrip("/")
        self.store = Store(ZoneInfo(self.options.server_zone))
        self.renderer = Renderer(self.store, string_numbers=self.options.string_numbers)
        self.rng = random.Random(seed)
        now = self.clock.now()
        seed_users(self.store, self.options.password, self.options.account)
        seed_products(self.store, self.store.local(now - timedelta(days=720)))
        today = now.astimezone(self.store.zone).date()
        seed_universe(self.store, universe or build_universe(seed, companies), seed, today)
        self.api = Api(self)

    # -- the app ----------------------------------------------------------------------------
    def build_app(self) -> ASGIApp:
        """``{web_root}/api.php/v1/*`` as an ASGI app."""
        prefix = f"{self.options.web_root}/api.php/v1"

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            method, path = scope["method"], scope["path"]
            raw = b""
            more = True
            while more:
                message = await receive()
                raw += message.get("body", b"")
                more = message.get("more_body", False)
            if method == "OPTIONS":
                await _send(send, 204, b"", CORS)
                return
            if not path.startswith(prefix):
                page = b"<html><head><title>ZenTao</title></head><body>404</body></html>"
                await _send(send, 404, page, {"content-type": "text/html; charset=utf-8"})
                return
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
            }
            token = headers.get("token") or _cookie(headers.get("cookie", ""), "zentaosid")
            with self.lock:
                status, payload = self.api.handle(
                    method, path[len(prefix) :] or "/", query, token, raw
                )
            body = php_json(payload) if payload is not None else b""
            await _send(send, status, body, {**CORS, "content-type": "application/json"})

        return app

    def rate_limit_response(self, retry_after: float | None) -> tuple[int, dict[str, str], bytes]:
        """A reverse proxy's ``limit_req`` refusal (ZenTao itself has no rate limit)."""
        headers = {"content-type": "text/html"}
        if retry_after is not None:
            headers["Retry-After"] = str(int(retry_after))
        return 429, headers, b"<html><body><h1>429 Too Many Requests</h1>nginx</body></html>"

    def error_response(self, status: int) -> tuple[int, dict[str, str], bytes]:
        """What nginx in front of PHP-FPM answers when PHP is down or times out."""
        text = f"<html><head><title>{status}</title></head><body><center><h1>{status}</h1></center><hr><center>nginx</center></body></html>"
        return status, {"content-type": "text/html"}, text.encode()

    def garbage_response(self) -> tuple[int, dict[str, str], bytes]:
        """A 200 HTML page (a PHP warning printed before the JSON, as misconfigured installs do)."""
        body = b'<br />\n<b>Warning</b>:  session_start(): open(/tmp/sess_x) failed in <b>/opt/zentao/framework/base/router.class.php</b><br />\n{"page":1'
        return 200, {"content-type": "application/json"}, body

    # -- control hooks -----------------------------------------------------------------------
    def credentials(self, base_url: str) -> dict[str, Any]:
        """``base_url`` (the web root), ``account`` and ``password`` of the API user."""
        return {
            "base_url": f"{base_url}{self.options.web_root}",
            "account": self.options.account,
            "password": self.options.password,
        }

    def connector_config(self, base_url: str) -> dict[str, Any]:
        """A ZenTao connector config for this sandbox."""
        return {**self.credentials(base_url), "product": 1, "timezone": self.options.server_zone}

    def _table(self, stream: str) -> str:
        if stream not in STREAMS:
            raise KeyError(
                f"unknown stream {stream!r}; the ZenTao sandbox has {', '.join(STREAMS)}"
            )
        return stream

    def reset(self, stream: str, count: int) -> list[str]:
        """Replace ``stream``'s records by ``count`` new ones (a project to hold them if needed)."""
        table = self._table(stream)
        with self.lock:
            self.store.clear(table)
            if table == "projects":
                self.store.clear("executions")
                self.store.clear("tasks")
            elif table == "executions":
                self.store.clear("tasks")
            return [str(self._generate(table, n)["id"]) for n in range(1, count + 1)]

    def _generate(self, table: str, n: int) -> dict[str, Any]:
        now = self.clock.now()
        opened = self.store.local(now - timedelta(days=30, minutes=n))
        today = now.astimezone(self.store.zone).date()
        begin, end = (
            (today - timedelta(days=30)).isoformat(),
            (today + timedelta(days=150)).isoformat(),
        )
        tag = f"{self.rng.randrange(16**6):06x}"
        if table == "projects":
            row = self.store.insert(
                "projects",
                project_row(
                    self.store,
                    name=f"项目 {n} {tag}",
                    code=f"GEN{n:05d}{tag}",
                    begin=begin,
                    end=end,
                    opened=opened,
                    PM=STAFF[n % len(STAFF)],
                    status="doing",
                ),
            )
            row["path"], row["order"] = f",{row['id']},", row["id"] * 5
            self.store.project_products[row["id"]] = [1]
            return row
        if table == "executions":
            project = self._holder("projects")
            row = self.store.insert(
                "executions",
                project_row(
                    self.store,
                    name=f"阶段 {n} {tag}",
                    code=f"EX{n:05d}{tag}",
                    begin=project["begin"],
                    end=project["end"],
                    opened=opened,
                    type="sprint",
                    model="",
                    project=project["id"],
                    parent=project["id"],
                    days=20,
                ),
            )
            row["path"] = f",{project['id']},{row['id']},"
            return row
        if table == "plans":
            return self.store.insert(
                "plans",
                plan_row(
                    self.store, title=f"计划 {n} {tag}", begin=begin, end=end, createdDate=opened
                ),
            )
        if table == "stories":
            return self.store.insert(
                "stories",
                story_row(
                    self.store, title=f"需求 {n} {tag}", spec=f"<p>需求 {n}</p>", openedDate=opened
                ),
            )
        execution = self._holder("executions")
        return self.store.insert(
            "tasks",
            task_row(
                self.store,
                project=execution["project"],
                execution=execution["id"],
                name=f"任务 {n} {tag}",
                estimate=8,
                left=8,
                estStarted=begin,
                deadline=end,
                openedDate=opened,
                assignedTo=STAFF[n % len(STAFF)],
            ),
        )

    def _holder(self, table: str) -> dict[str, Any]:
        live = self.store.live(table)
        return live[0] if live else self._generate(table, 0)

    def remote_ids(self, stream: str) -> set[str]:
        """Ids of live records, as strings."""
        with self.lock:
            return {str(r["id"]) for r in self.store.live(self._table(stream))}

    def get_record(self, stream: str, remote_id: str) -> dict[str, Any] | None:
        """The record as ``GET /<stream>/{id}`` shows it (``None`` if absent)."""
        paths = {
            "projects": "/projects/",
            "executions": "/executions/",
            "plans": "/productplans/",
            "stories": "/stories/",
            "tasks": "/tasks/",
        }
        with self.lock:
            self.api.account = "admin"
            found = self.api.handle_internal(f"{paths[self._table(stream)]}{remote_id}")
        return found

    def touch(self, stream: str, remote_ids: list[str]) -> None:
        """Edit these records at ``clock.now()`` the way a person in the web UI would."""
        table = self._table(stream)
        with self.lock:
            now = self.store.local(self.clock.now())
            for rid in remote_ids:
                row = self.store.get(table, rid)
                if row is None:
                    continue
                if table == "plans":
                    row["desc"] = f"{row['desc']}<p>调整 {now}</p>"
                    continue
                row["pri"] = (
                    str(int(row.get("pri") or 1) % 4 + 1)
                    if table == "projects"
                    else int(row.get("pri") or 1) % 4 + 1
                )
                row.update(lastEditedBy="zhangwei", lastEditedDate=now)

    def delete(self, stream: str, remote_ids: list[str]) -> None:
        """Soft-delete as the web UI does (``deleted = '1'``; lists stop showing them)."""
        table = self._table(stream)
        with self.lock:
            now = self.store.local(self.clock.now())
            for rid in remote_ids:
                row = self.store.get(table, rid)
                if row is not None:
                    row["deleted"] = "1"
                    if "lastEditedDate" in row:
                        row.update(lastEditedBy="zhangwei", lastEditedDate=now)

    def expire_credentials(self) -> None:
        """Every session dies, as after an idle timeout or a PHP restart."""
        with self.lock:
            self.store.sessions.clear()

    def sample_record(self, stream: str, n: int) -> dict[str, Any]:
        """A record the connector can create in ``stream`` (fields ZenTao echoes back unchanged)."""
        table = self._table(stream)
        today = self.clock.now().astimezone(self.store.zone).date()
        begin, end = today.isoformat(), (today + timedelta(days=90 + n)).isoformat()
        if table == "projects":
            return {
                "name": f"Sample contract {n}",
                "code": f"HT-S{n:04d}",
                "begin": begin,
                "end": end,
                "budget": f"{10000 + n}.50",
                "budgetUnit": "CNY",
            }
        if table == "executions":
            project = (
                self.store.live("projects")[0]
                if self.store.live("projects")
                else self._generate("projects", 0)
            )
            return {
                "project": project["id"],
                "name": f"Sample milestone {n}",
                "begin": project["begin"],
                "end": project["begin"],
            }
        if table == "plans":
            return {"title": f"Sample plan {n}", "begin": begin, "end": end}
        if table == "stories":
            return {
                "title": f"Sample story {n}",
                "spec": f"<p>story {n}</p>",
                "pri": 2,
                "category": "feature",
            }
        execution = (
            self.store.live("executions")[0]
            if self.store.live("executions")
            else self._generate("executions", 0)
        )
        return {
            "execution": execution["id"],
            "name": f"Sample task {n}",
            "type": "devel",
            "assignedTo": "lina",
            "estStarted": execution["begin"],
            "deadline": execution["end"],
        }

    def invalid_record(self, stream: str) -> tuple[dict[str, Any], str]:
        """A record ZenTao refuses and a word of its refusal."""
        table = self._table(stream)
        if table == "projects":
            return {"code": "HT-BAD", "begin": "2025-01-01", "end": "2025-12-31"}, "项目名称"
        if table == "executions":
            project = (
                self.store.live("projects")[0]
                if self.store.live("projects")
                else self._generate("projects", 0)
            )
            return {
                "project": project["id"],
                "code": "EX-BAD",
                "begin": project["begin"],
                "end": project["end"],
                "days": 5,
            }, "执行名称"
        if table == "plans":
            return {"begin": "2025-01-01", "end": "2025-02-01"}, "名称"
        if table == "stories":
            return {"spec": "<p>x</p>", "pri": 2, "category": "feature"}, "需求名称"
        return {
            "name": "",
            "type": "devel",
            "assignedTo": "lina",
            "estStarted": "2025-01-01",
            "deadline": "2025-01-31",
        }, "任务名称"

    # -- scenario helpers (a person working in ZenTao) -------------------------------------------
    def close_execution(self, execution_id: str, by: str = "zhangwei") -> None:
        """Close an execution from the web UI (v1 of this release has no close route)."""
        with self.lock:
            row = self.store.get("executions", execution_id)
            if row is None:
                raise KeyError(execution_id)
            now = self.store.local(self.clock.now())
            row.update(
                status="closed",
                closedBy=by,
                closedDate=now,
                lastEditedBy=by,
                lastEditedDate=now,
                realEnd=now[:10],
            )

    def close_story_row(self, row: dict[str, Any], reason: str, by: str) -> None:
        """Close a story (shared by the REST route and tests); stage follows."""
        now = self.store.local(self.clock.now())
        row.update(
            status="closed",
            stage="closed",
            closedBy=by,
            closedDate=now,
            closedReason=reason,
            lastEditedBy=by,
            lastEditedDate=now,
        )

    def project_products(self, project_id: int) -> list[int]:
        """Products a project is linked to."""
        with self.lock:
            return list(self.store.project_products.get(int(project_id), []))


async def _send(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw = [(k.encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


__all__ = ["ZERO_DATE", "Options", "ZentaoSandbox"]
