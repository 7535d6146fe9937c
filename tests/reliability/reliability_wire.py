"""A tap on a sandbox's wire: counts requests, schedules faults, rewrites bodies, waits for idle.

``WireTap.install(sandbox)`` puts an ASGI layer *outside* the sandbox's own
``FaultMiddleware`` (the SDK's fault switches), so a scheduled action runs as a
request arrives and the fault it queues applies to that very request. Two
faults the SDK has no switch for are written here, vendor-blind, on the JSON
bodies:

* ``repeat_across_pages``: the last record of one list page comes back first on
  the next page, as an offset-paged vendor does when a record is inserted
  before the window (a record returned twice across pages).
* ``spoil_row``: one row of a write batch reaches the vendor emptied, so the
  vendor refuses that row alone (a batch where some rows fail).

``wait_idle`` lets a test wait until every request (including one a timeout
fault holds back after the client gave up) has been answered, before it looks.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from connectors.sdk.sandbox import ASGIApp, Sandbox

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Action = Callable[["WireTap", int, str, str], None]
"""Called as request number n (1-based, of those the action's filter matches) arrives."""


@dataclass
class Rewrite:
    """A one-shot body rewrite and whether (and how) it happened."""

    path: str
    nth: int = 1
    single: bool = False
    """Spoil: the vendor takes one record per request, so the n-th write's record is emptied."""
    method: str | None = None
    done: str | None = None
    seen: int = 0


@dataclass
class WireTap:
    """See the module docstring."""

    sandbox: Sandbox
    app: ASGIApp | None = None
    log: list[tuple[str, str]] = field(default_factory=list)
    actions: list[tuple[str, str | None, Action]] = field(default_factory=list)
    repeat: Rewrite | None = None
    spoil: Rewrite | None = None
    page_key: Callable[[str, bytes], str] = lambda path, body: path
    page_size: int = 1
    """Records in a full list page: a shorter page ends a read, and a record is repeated only
    into the next page of the same read (never into another stream's read of the same list)."""
    _counts: dict[int, int] = field(default_factory=dict)
    _last_item: dict[str, list[Any]] = field(default_factory=dict)
    _in_flight: int = 0
    _idle: threading.Condition = field(default_factory=threading.Condition)

    @classmethod
    def install(cls, sandbox: Sandbox) -> WireTap:
        """Wrap what ``sandbox.app()`` returns (call before ``SandboxServer(sandbox)``)."""
        tap = cls(sandbox)
        inner = sandbox.app

        def app() -> ASGIApp:
            tap.app = inner()
            return tap

        sandbox.app = app  # type: ignore[method-assign]
        return tap

    # -- what tests arm ---------------------------------------------------------------------
    def on(self, path: str, action: Action, method: str | None = None) -> None:
        """Run ``action`` as each request whose path contains ``path`` (and of ``method``) arrives."""
        self.actions.append((path, method, action))

    def repeat_across_pages(self, path: str, method: str, nth: int = 2) -> Rewrite:
        """The ``nth`` list answer on ``path`` starts with the previous page's last record."""
        self.repeat = Rewrite(path, nth, method=method)
        return self.repeat

    def spoil_row(self, path: str, nth: int = 1, *, single: bool = False) -> Rewrite:
        """In the ``nth`` write on ``path`` carrying two or more rows, row 2 arrives emptied
        (``single``: the ``nth`` write's one record arrives emptied)."""
        self.spoil = Rewrite(path, nth, single)
        return self.spoil

    def count(self, fragment: str = "", method: str | None = None) -> int:
        """Requests served so far whose path contains ``fragment``."""
        return sum(1 for m, p in self.log if fragment in p and (method is None or m == method))

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Block until no request is in flight (a held-back request has been answered)."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout):
                raise AssertionError(f"{self.sandbox.name}: requests still in flight")

    # -- ASGI -------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        assert self.app is not None
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        with self._idle:
            self._in_flight += 1
            self.log.append((method, path))
        try:
            body = self._spoil(path, await _read_body(receive))
            # No await from here until FaultMiddleware takes its fault: a fault an action
            # queues must land on this request, not on one that arrives meanwhile.
            for index, (fragment, wanted, action) in enumerate(self.actions):
                if fragment in path and wanted in (None, method):
                    self._counts[index] = self._counts.get(index, 0) + 1
                    action(self, self._counts[index], method, path)
            replay = _replayer(body, receive)
            if (
                self.repeat is not None
                and self.repeat.path in path
                and self.repeat.method in (None, method)
            ):
                await self._repeating(scope, replay, send, self.page_key(path, body))
            else:
                await self.app(scope, replay, send)
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _spoil(self, path: str, body: bytes) -> bytes:
        rule = self.spoil
        if rule is None or rule.done is not None or rule.path not in path:
            return body
        try:
            payload = json.loads(body)
        except ValueError:
            return body
        if rule.single:
            record = _record(payload)
            if record is None:
                return body
            rule.seen += 1
            if rule.seen != rule.nth:
                return body
            rule.done = json.dumps(record, ensure_ascii=False, default=str)[:300]
            record.clear()
            return json.dumps(payload, ensure_ascii=False).encode()
        rows = _records(payload)
        if rows is None or len(rows) < 2:
            return body
        rule.seen += 1
        if rule.seen != rule.nth:
            return body
        rule.done = json.dumps(rows[1], ensure_ascii=False, default=str)[:300]
        rows[1] = {} if isinstance(rows[1], dict) else []
        return json.dumps(payload, ensure_ascii=False).encode()

    async def _repeating(self, scope: Scope, receive: Any, send: Any, key: str) -> None:
        assert self.app is not None
        assert self.repeat is not None
        rule = self.repeat
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        if rule.done is None and start.get("status") == 200:
            body = self._repeat(rule, key, body)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _repeat(self, rule: Rewrite, key: str, body: bytes) -> bytes:
        try:
            payload = json.loads(body)
        except ValueError:
            return body
        rows = _records(payload)
        if not rows:
            self._last_item.pop(key, None)  # that read is over
            return body
        rule.seen += 1
        tail = self._last_item.pop(key, None)
        if len(rows) >= self.page_size:  # a full page: the read goes on
            self._last_item[key] = rows[-2:]
        if rule.seen < rule.nth or not tail:
            return body
        # The previous page's last record; a keyset vendor repeats that one itself (the
        # boundary tie), so then the one before it, which keeps the page in order.
        repeated = tail[-1] if tail[-1] != rows[0] else (tail[0] if len(tail) > 1 else None)
        if repeated is None or repeated == rows[0]:
            return body
        rows.insert(0, repeated)
        rule.done = json.dumps(repeated, ensure_ascii=False, default=str)[:300]
        return json.dumps(payload, ensure_ascii=False).encode()


def _records(payload: Any) -> list[Any] | None:
    """The outermost non-empty list of records (dicts, or rows as lists) in ``payload``.

    Outermost, because records carry lists of their own (entry lines, subforms).
    """
    level: list[Any] = [payload]
    while level:
        found = [
            node
            for node in level
            if isinstance(node, list)
            and node
            and (all(isinstance(i, dict) for i in node) or all(isinstance(i, list) for i in node))
        ]
        if found:
            return max(found, key=len)
        deeper: list[Any] = []
        for node in level:
            if isinstance(node, dict):
                deeper.extend(node.values())
            elif isinstance(node, list):
                deeper.extend(node)
        level = deeper
    return None


def _record(payload: Any) -> dict[str, Any] | None:
    """The outermost dict with three or more keys: the record of a one-record write."""
    level: list[Any] = [payload]
    while level:
        for node in level:
            if isinstance(node, dict) and len(node) >= 3:
                return node
        level = [v for node in level if isinstance(node, dict) for v in node.values()]
    return None


async def _read_body(receive: Any) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(parts)


def _replayer(body: bytes, receive: Any) -> Callable[[], Any]:
    """A ``receive`` that hands over ``body`` once, then waits on the real connection."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # type: ignore[no-any-return]
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
