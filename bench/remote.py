"""A vendor sandbox in a process of its own, driven over a pipe.

The benchmarks measure the hub's CPU and memory, so the simulator that answers
its requests must not share its process (nor its GIL). The child builds the
sandbox through the connector registry, serves it on 127.0.0.1 with
``SandboxServer`` and then obeys commands: each is the name of a function in
``bench.sandbox_ops`` called with the sandbox and the given arguments, so the
parent can seed, edit, switch faults and read counters while the server runs.
"""

from __future__ import annotations

import multiprocessing
import traceback
from multiprocessing.connection import Connection
from typing import Any


class RemoteError(RuntimeError):
    """A command failed inside the sandbox process (the child's traceback is the message)."""


class RemoteSandbox:
    """Handle on a sandbox served by a child process; use as a context manager."""

    def __init__(self, connector: str, **options: Any) -> None:
        self.connector = connector
        self.options = options
        self.url = ""
        self.config: dict[str, Any] = {}
        self.pid = 0
        self._conn: Connection | None = None
        self._proc: Any = None

    def start(self) -> RemoteSandbox:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_child, args=(child, self.connector, self.options), daemon=True
        )
        self._proc.start()
        child.close()
        self._conn = parent
        ready = self._receive()
        self.url, self.config, self.pid = ready["url"], ready["config"], self._proc.pid
        return self

    def call(self, op: str, *args: Any, **kwargs: Any) -> Any:
        """Run ``bench.sandbox_ops.<op>(sandbox, *args, **kwargs)`` in the child."""
        assert self._conn is not None, "sandbox not started"
        self._conn.send((op, args, kwargs))
        return self._receive()

    def _receive(self) -> Any:
        assert self._conn is not None
        status, value = self._conn.recv()
        if status == "error":
            raise RemoteError(value)
        return value

    def stop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.send(("__stop__", (), {}))
                self._conn.recv()
            except (EOFError, OSError):
                pass
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            self._proc.join(timeout=15)
            if self._proc.is_alive():
                self._proc.terminate()
                self._proc.join(timeout=5)
            self._proc = None

    def __enter__(self) -> RemoteSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _child(conn: Connection, connector: str, options: dict[str, Any]) -> None:
    from bench import sandbox_ops
    from connectors.sdk import registry
    from connectors.sdk.sandbox import SandboxServer

    try:
        cls = registry.load(connector)
        assert cls.sandbox, f"{connector} ships no sandbox"
        sandbox = registry.resolve(cls.sandbox)(**options)
        server = SandboxServer(sandbox).start()
    except Exception:
        conn.send(("error", traceback.format_exc()))
        return
    conn.send(("ok", {"url": server.url, "config": server.connector_config()}))
    try:
        while True:
            op, args, kwargs = conn.recv()
            if op == "__stop__":
                conn.send(("ok", None))
                break
            try:
                result = getattr(sandbox_ops, op)(sandbox, *args, **kwargs)
            except Exception:
                conn.send(("error", traceback.format_exc()))
            else:
                conn.send(("ok", result))
    finally:
        server.stop()
