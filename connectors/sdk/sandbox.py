"""What every vendor simulator shares.

A real HTTP server on 127.0.0.1, fault switches, and the control surface tests
and the demo drive.

A vendor package's ``sandbox.py`` subclasses ``Sandbox``: it builds an ASGI app
that speaks the vendor's wire protocol and implements the control hooks (seed,
touch, expire credentials...). ``serve()`` runs it on a real socket, and
``FaultMiddleware`` applies the generic faults (latency, 5xx, timeouts, resets,
truncated and non-JSON bodies, rate limits) so no vendor re-implements them;
the vendor only says what its rate-limit and error bodies look like.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from abc import ABC, abstractmethod
from collections import Counter, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal

import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FaultKind = Literal["status", "rate_limit", "timeout", "reset", "truncate", "non_json"]


@dataclass(slots=True)
class Fault:
    """A one-shot fault applied to the next ``times`` requests whose path contains ``path``."""

    kind: FaultKind
    times: int = 1
    path: str = ""
    status: int = 503
    retry_after: float | None = None
    seconds: float = 5.0
    complete: bool = False
    """For ``timeout``: the server has the whole request and finishes it after the delay even
    if the client gave up (the hard case: the work is done but the answer is lost)."""
    served: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)
    """Set once a delayed (``timeout``) request has been served: a test waits on it to know
    the work the client gave up on is done, instead of polling the sandbox."""


@dataclass(slots=True)
class FaultPlan:
    """Switches a test or the demo flips on a running sandbox.

    ``latency`` is added to every request; ``rate_limit`` (requests per second,
    ``rate_burst`` deep) answers with the vendor's rate-limit reply beyond it;
    ``inject`` queues one-shot faults consumed in order.
    """

    latency: float = 0.0
    rate_limit: float | None = None
    rate_burst: int = 1
    retry_after: float | None = 1.0
    queue: deque[Fault] = field(default_factory=deque)
    _tokens: float = 0.0
    _updated: float | None = None

    def inject(self, kind: FaultKind, times: int = 1, **options: Any) -> Fault:
        """Queue ``times`` faults of ``kind``; options as in ``Fault``."""
        fault = Fault(kind, times, **options)
        self.queue.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every queued fault and switch off latency and rate limiting."""
        self.queue.clear()
        self.latency = 0.0
        self.rate_limit = None

    def take(self, path: str) -> Fault | None:
        """The next queued fault for ``path``, consuming one use of it."""
        for fault in self.queue:
            if fault.path in path:
                fault.times -= 1
                if fault.times <= 0:
                    self.queue.remove(fault)
                return fault
        return None

    def over_rate(self, now: float) -> bool:
        """Token bucket check for the continuous rate limit; True means refuse."""
        if self.rate_limit is None:
            return False
        if self._updated is None:
            self._updated, self._tokens = now, float(self.rate_burst)
        self._tokens = min(
            float(self.rate_burst), self._tokens + (now - self._updated) * self.rate_limit
        )
        self._updated = now
        if self._tokens >= 1:
            self._tokens -= 1
            return False
        return True


class SandboxClock:
    """The sandbox's notion of now: real time, or frozen / shifted by a test."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        """Current sandbox time, timezone-aware UTC."""
        return self._frozen if self._frozen is not None else datetime.now(UTC) + self._offset

    def freeze(self, at: datetime) -> None:
        """Stop the clock at ``at`` (aware)."""
        if at.tzinfo is None:
            raise ValueError("freeze() needs an aware datetime")
        self._frozen = at.astimezone(UTC)

    def advance(self, seconds: float) -> None:
        """Move the clock forward (frozen or not)."""
        if self._frozen is not None:
            self._frozen += timedelta(seconds=seconds)
        else:
            self._offset += timedelta(seconds=seconds)

    def unfreeze(self) -> None:
        """Back to real time (keeping any offset)."""
        self._frozen = None


class Sandbox(ABC):
    """Base of every vendor simulator; see the module docstring.

    State lives in memory and is guarded by ``lock`` because tests mutate it from
    their own thread while the server thread serves requests.
    """

    name: ClassVar[str]

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed
        self.faults = FaultPlan()
        self.clock = SandboxClock()
        self.lock = threading.RLock()
        self.requests: Counter[tuple[str, str]] = Counter()
        self.on_request: Callable[[str, str], None] | None = None
        """Called with (method, path) as each request arrives, so a test can await a moment
        (the first write, the tenth page) instead of sleeping."""

    # -- the app -----------------------------------------------------------------
    @abstractmethod
    def build_app(self) -> ASGIApp:
        """The vendor's HTTP API as an ASGI app (without faults; ``app()`` adds them)."""

    def app(self) -> ASGIApp:
        """The vendor app wrapped in request counting and fault injection."""
        return FaultMiddleware(self.build_app(), self)

    def rate_limit_response(self, retry_after: float | None) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body the vendor sends when over its limit."""
        headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
        return 429, headers, b'{"error":"too many requests"}'

    def error_response(self, status: int) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body of an injected server error."""
        return status, {"content-type": "text/plain"}, f"injected error {status}".encode()

    def garbage_response(self) -> tuple[int, dict[str, str], bytes]:
        """A 200 whose body is not what the client expects (a proxy's HTML page)."""
        return 200, {"content-type": "text/html"}, b"<html><body>502 Bad Gateway</body></html>"

    # -- what scripts and tests need ---------------------------------------------------
    @abstractmethod
    def credentials(self, base_url: str) -> dict[str, Any]:
        """What ``synchub sandbox NAME --json`` prints: URLs and credentials a client needs."""

    @abstractmethod
    def connector_config(self, base_url: str) -> dict[str, Any]:
        """A config dict for this vendor's connector pointing at the sandbox."""

    @abstractmethod
    def reset(self, stream: str, count: int) -> list[str]:
        """Replace the records of ``stream`` with ``count`` generated ones; return their ids."""

    @abstractmethod
    def remote_ids(self, stream: str) -> set[str]:
        """Ids of the live (not deleted) records of ``stream``, as the connector reports them."""

    @abstractmethod
    def get_record(self, stream: str, remote_id: str) -> dict[str, Any] | None:
        """The stored record, in the shape the vendor returns it; ``None`` if absent."""

    @abstractmethod
    def touch(self, stream: str, remote_ids: list[str]) -> None:
        """Modify these records at ``clock.now()`` the way a user's edit would."""

    @abstractmethod
    def delete(self, stream: str, remote_ids: list[str]) -> None:
        """Delete these records the way a user would (visible to deleted-record reads)."""

    @abstractmethod
    def expire_credentials(self) -> None:
        """Invalidate every issued token or session, as an expiry would."""

    @abstractmethod
    def sample_record(self, stream: str, n: int) -> dict[str, Any]:
        """A valid record to write to ``stream``, distinct for each ``n``."""

    @abstractmethod
    def invalid_record(self, stream: str) -> tuple[dict[str, Any], str]:
        """A record the vendor refuses, and a word its refusal message contains."""

    def deep_paging_limit(self, stream: str) -> int | None:
        """Records reachable by plain page numbers before the vendor wants something else."""
        return None

    def bad_credentials_config(self, base_url: str) -> dict[str, Any]:
        """A connector config the vendor refuses: ``connector_config`` with its secrets altered.

        The default alters every string value whose key looks secret (secret,
        password, token, key); override it when the vendor needs another change
        (a wrong user, say) to refuse the login.
        """
        spoiled: dict[str, Any] = _spoil_secrets(self.connector_config(base_url))
        return spoiled

    def rate_limit_advertises_wait(self) -> bool:
        """Whether the vendor's rate-limit reply says how long to wait.

        The default answers from ``rate_limit_response``: a ``Retry-After`` header.
        A vendor that puts the wait in its body overrides this to ``True``.
        """
        _status, headers, _body = self.rate_limit_response(7.0)
        return any(k.lower() == "retry-after" for k in headers)


_SECRET_WORDS = ("secret", "password", "passwd", "token", "key", "pat")


def _spoil_secrets(config: Any) -> Any:
    if isinstance(config, dict):
        return {
            k: (
                f"wrong-{v}"
                if isinstance(v, str) and any(w in k.lower() for w in _SECRET_WORDS)
                else _spoil_secrets(v)
            )
            for k, v in config.items()
        }
    if isinstance(config, list):
        return [_spoil_secrets(v) for v in config]
    return config


class FaultMiddleware:
    """Counts requests and applies a sandbox's ``FaultPlan`` around its app."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request, then serve it, delay it or replace it by a fault."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        plan = self.sandbox.faults
        if self.sandbox.on_request is not None:
            self.sandbox.on_request(scope["method"], path)
        with self.sandbox.lock:
            self.sandbox.requests[(scope["method"], path)] += 1
            fault = plan.take(path)
            limited = plan.over_rate(asyncio.get_running_loop().time())
        if plan.latency:
            await asyncio.sleep(plan.latency)
        if limited or (fault and fault.kind == "rate_limit"):
            retry_after = fault.retry_after if fault else plan.retry_after
            await _reply(send, *self.sandbox.rate_limit_response(retry_after))
        elif fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "status":
            await _reply(send, *self.sandbox.error_response(fault.status))
        elif fault.kind == "non_json":
            await _reply(send, *self.sandbox.garbage_response())
        elif fault.kind == "timeout":
            if fault.complete:
                receive = await _buffered(receive)
            await asyncio.sleep(fault.seconds)
            try:
                await self.app(scope, receive, send)
            finally:
                fault.served.set()
        else:
            await self._mangle(fault, scope, receive, send)

    async def _mangle(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        cut = body[: max(1, len(body) // 2)]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        if fault.kind == "truncate":
            headers.append((b"content-length", str(len(cut)).encode()))
            await send(
                {
                    "type": "http.response.start",
                    "status": start.get("status", 200),
                    "headers": headers,
                }
            )
            await send({"type": "http.response.body", "body": cut})
            return
        # reset: promise the whole body, deliver half, then drop the connection
        headers.append((b"content-length", str(len(body)).encode()))
        await send(
            {"type": "http.response.start", "status": start.get("status", 200), "headers": headers}
        )
        await send({"type": "http.response.body", "body": cut, "more_body": True})
        raise ConnectionResetError("sandbox fault: connection reset mid-body")


async def _buffered(receive: Receive) -> Receive:
    """Read the whole request body now and replay it later, whatever the client does meanwhile."""
    body = b""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _reply(send: Send, status: int, headers: dict[str, str], body: bytes) -> None:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def json_response_body(payload: Any) -> bytes:
    """Compact UTF-8 JSON, the way vendors send it."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class SandboxServer:
    """A sandbox served over real HTTP on 127.0.0.1, in a background thread.

    The socket is bound and listening before the thread starts, so ``url`` is
    usable immediately and nobody has to poll for readiness.
    """

    def __init__(self, sandbox: Sandbox, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = sandbox
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this. uvicorn does not set it on sockets it is
        # handed, and h11 writes headers and body separately, so without it every
        # answer waits ~40 ms for the client's delayed ACK (Nagle).
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.socket.bind((host, port))
        self.socket.listen(256)
        self.host, self.port = self.socket.getsockname()[:2]
        config = uvicorn.Config(
            sandbox.app(),
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_keep_alive=30,
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL of the running sandbox, without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    def credentials(self) -> dict[str, Any]:
        """The sandbox's credentials for this server's URL."""
        return self.sandbox.credentials(self.url)

    def connector_config(self) -> dict[str, Any]:
        """A connector config pointing at this server."""
        return self.sandbox.connector_config(self.url)

    def start(self) -> SandboxServer:
        """Serve in a daemon thread; returns self for chaining."""
        self._thread = threading.Thread(
            target=self.server.run,
            kwargs={"sockets": [self.socket]},
            name=f"sandbox-{self.sandbox.name}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (for the CLI)."""
        self.server.run(sockets=[self.socket])

    def stop(self) -> None:
        """Stop serving and wait for the thread to finish."""
        self.server.should_exit = True
        self.server.force_exit = True  # do not wait for idle keep-alive clients
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.socket.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
