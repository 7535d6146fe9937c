"""Helpers of the web and browser tests: a live server, settings, signing in."""

from __future__ import annotations

import re
import socket
import threading
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from hub.config_store import generate_key
from hub.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[2]
ROLES = ("admin", "operator", "finance", "viewer")


def password_of(role: str) -> str:
    """The test password of the user named after ``role``."""
    return f"pass-{role}-0123456789"


class LiveServer:
    """The app served by uvicorn in a thread; the socket listens before the thread starts."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        """Serve in the background."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.should_exit = True
        self.server.force_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings on a fresh SQLite file with a secret key and the repository's mappings."""
    values: dict[str, object] = {
        "database_url": f"sqlite:///{tmp_path / 'hub.db'}",
        "data_dir": str(tmp_path),
        "mappings_dir": str(tmp_path / "mappings"),
        "secret_key": generate_key(),
    }
    values.update(overrides)
    return load_settings(None, **values)


def copy_mappings(target: Path) -> None:
    """A private copy of the repository's mappings (tests may edit them)."""
    for file in (REPO / "mappings").rglob("*.yaml"):
        destination = target / file.relative_to(REPO / "mappings")
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(file.read_text(encoding="utf-8"), encoding="utf-8")


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(base_url: str, name: str, password: str | None = None) -> tuple[httpx.Client, str]:
    """A client signed in as ``name`` and the session's CSRF token."""
    client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)
    page = client.get("/login")
    token = CSRF_RE.search(page.text)
    assert token is not None
    answer = client.post(
        "/login",
        data={
            "username": name,
            "password": password or password_of(name),
            "csrf_token": token.group(1),
            "next": "/",
        },
    )
    assert answer.status_code == 303, answer.text[:300]
    home = client.get("/account")
    csrf = CSRF_RE.search(home.text)
    assert csrf is not None
    return client, csrf.group(1)
