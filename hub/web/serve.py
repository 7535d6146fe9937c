"""Serving the hub: the web app plus the in-process scheduler, in one process (``synchub serve``).

``serve_forever`` is also what ``synchub demo`` ends with: it makes sure the
named users exist with fresh random passwords, prints the URL and the logins,
and serves until interrupted.
"""

from __future__ import annotations

import importlib
import logging
import secrets
import socket
from collections.abc import Sequence
from typing import Any

import uvicorn
from fastapi import FastAPI
from rich.console import Console
from sqlalchemy import Engine

from hub.auth import UserError, create_user, get_user, set_password
from hub.config_store import effective_settings
from hub.settings import Settings
from hub.store import upgrade
from hub.web.app import create_app

log = logging.getLogger("synchub.serve")
console = Console()


def ensure_users(engine: Engine, users: Sequence[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Create each (name, role) or reset its password; returns (name, role, new password)."""
    logins = []
    for name, role in users:
        password = secrets.token_urlsafe(12)
        if get_user(engine, name=name) is None:
            create_user(engine, name, password, role, actor="serve")
        else:
            set_password(engine, name, password, actor="serve")
        logins.append((name, role, password))
    return logins


def start_scheduler(settings: Settings, engine: Engine) -> Any:
    """The in-process scheduler's handle (``.stop()``), or ``None`` if the package is absent."""
    try:
        module = importlib.import_module("hub.scheduling.inprocess")
    except ModuleNotFoundError:
        log.warning("hub.scheduling is not installed: pipelines run only when started by hand")
        return None
    return module.start_in_process(effective_settings(settings, engine), engine)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (bound before the banner, so the printed URL already answers)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(256)
    return sock


def serve_forever(
    settings: Settings,
    engine: Engine,
    *,
    host: str | None = None,
    port: int | None = None,
    users: Sequence[tuple[str, str]] = (),
    scheduler: bool = True,
) -> None:
    """Upgrade the store, ensure ``users``, print URL and logins, serve until Ctrl-C."""
    upgrade(engine)
    logins = ensure_users(engine, users)
    app: FastAPI = create_app(settings, engine)
    sock = bind(host or settings.web.host, settings.web.port if port is None else port)
    bound_host, bound_port = sock.getsockname()[:2]
    handle = start_scheduler(settings, engine) if scheduler else None
    console.print(f"[bold]SyncHub is serving at http://{bound_host}:{bound_port}/[/]")
    for name, role, password in logins:
        console.print(f"  login: {name} / {password}   ({role})", highlight=False)
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_level="warning", proxy_headers=True, forwarded_allow_ips="127.0.0.1"
        )
    )
    try:
        server.run(sockets=[sock])
    finally:
        if handle is not None:
            handle.stop()
        sock.close()


__all__ = ["UserError", "ensure_users", "serve_forever"]
