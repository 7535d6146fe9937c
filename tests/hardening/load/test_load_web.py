"""The web app under a bounded local load: 50 clients for a few seconds, no error, p99 reported.

The store holds a business pulled from a Zoho CRM sandbox; the app is served by
``synchub serve`` in a process of its own (real sockets, its own interpreter,
no scheduler). Fifty concurrent clients, half signed in to the finance
workspace with a session cookie and half calling the JSON API with a token,
request the finance pages and API lists round-robin for ``SECONDS``. Every
answer must be a 200; latency percentiles and throughput are reported (printed
and written to test-artifacts/hardening/web_load.json), never asserted: they
depend on the machine. ``make soak`` runs the same for 60 seconds.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import text
from web_support import login, password_of

from connectors.sdk.sandbox import SandboxServer
from connectors.zoho_crm.sandbox import ZohoCrmSandbox
from hub.auth import create_token, create_user, get_user
from hub.config_store import generate_key
from hub.settings import load_settings
from hub.store import make_engine, upgrade
from hub.sync.runner import run_pipeline

REPO = Path(__file__).resolve().parents[3]
SYNCHUB = str(Path(sys.executable).with_name("synchub"))
SECONDS = float(os.environ.get("SYNCHUB_LOAD_SECONDS", "10"))
CLIENTS = int(os.environ.get("SYNCHUB_LOAD_CLIENTS", "50"))
REPORT = REPO / "test-artifacts" / "hardening" / "web_load.json"
PAGES = [
    "/finance/alerts",
    "/finance/customers",
    "/finance/contracts",
    "/finance/ageing",
    "/finance/revenue",
    "/finance/forecast",
    "/finance/reconciliation",
]
API = [
    "/api/me",
    "/api/runs",
    "/api/pipelines",
    "/api/dead-letters",
    "/api/mappings",
    "/api/conflicts",
]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, list[str]]]:
    """The hub served by ``synchub serve`` on a synced store: (base URL, API token, pages)."""
    config = tmp_path / "hub.yaml"
    with SandboxServer(ZohoCrmSandbox(seed=51, companies=24)) as zoho:
        config.write_text(
            yaml.safe_dump(
                {
                    "database_url": f"sqlite:///{tmp_path / 'hub.db'}",
                    "data_dir": str(tmp_path),
                    "mappings_dir": str(REPO / "mappings"),
                    "secret_key": generate_key(),
                    "connectors": {"crm": {"type": "zoho-crm", "config": zoho.connector_config()}},
                    "pipelines": {
                        "crm": {
                            "streams": [
                                {"connector": "crm", "stream": s, "direction": "in"}
                                for s in ("accounts", "contracts", "invoices", "payments")
                            ]
                        }
                    },
                }
            ),
            encoding="utf-8",
        )
        settings = load_settings(config)
        engine = make_engine(settings.database_url)
        upgrade(engine)
        result = asyncio.run(run_pipeline(settings, engine, "crm", full=True))
        assert result.total().created > 50, result.error
    create_user(engine, "finance", password_of("finance"), "finance", actor="test")
    user = get_user(engine, name="finance")
    assert user is not None
    _info, token = create_token(engine, user, "load", actor="test")
    with engine.connect() as conn:
        customers = list(conn.execute(text("select id from customer limit 5")).scalars())
    engine.dispose()
    server = subprocess.Popen(
        [SYNCHUB, "--config", str(config), "serve", "--port", "0", "--no-scheduler"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    assert server.stdout is not None
    drain = threading.Thread(target=server.stdout.read, daemon=True)  # the pipe never fills
    try:
        url = serving_url(server)
        drain.start()
        yield url, token, PAGES + [f"/finance/customers/{c}" for c in customers]
    finally:
        server.terminate()
        server.wait(timeout=30)
        drain.join(timeout=30)
        server.stdout.close()


def serving_url(server: subprocess.Popen[str]) -> str:
    """Read the server's output until it says where it serves."""
    assert server.stdout is not None
    for line in server.stdout:
        if "serving at http://" in line:
            return line.split("serving at ", 1)[1].strip().rstrip("/")
    raise AssertionError(f"synchub serve exited with {server.wait()} before serving")


async def client_loop(
    client: httpx.AsyncClient, paths: list[str], offset: int, deadline: float, log: list[Any]
) -> None:
    """Request ``paths`` round-robin until ``deadline``; log (path, status or error, seconds)."""
    n = offset
    while time.perf_counter() < deadline:
        path = paths[n % len(paths)]
        n += 1
        started = time.perf_counter()
        try:
            answer = await client.get(path)
            outcome: int | str = answer.status_code
        except httpx.HTTPError as exc:
            outcome = type(exc).__name__
        log.append((path, outcome, time.perf_counter() - started))


async def load(url: str, cookie: str, token: str, pages: list[str]) -> list[Any]:
    log: list[Any] = []
    deadline = time.perf_counter() + SECONDS
    clients = [
        httpx.AsyncClient(
            base_url=url,
            timeout=120,
            limits=httpx.Limits(max_connections=1),
            cookies={"synchub_session": cookie} if n % 2 == 0 else None,
            headers=None if n % 2 == 0 else {"Authorization": f"Bearer {token}"},
        )
        for n in range(CLIENTS)
    ]
    try:
        await asyncio.gather(
            *(
                client_loop(c, pages if n % 2 == 0 else API, n, deadline, log)
                for n, c in enumerate(clients)
            )
        )
    finally:
        for client in clients:
            await client.aclose()
    return log


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@pytest.mark.slow
def test_fifty_clients_get_no_error_and_p99_is_reported(served: tuple[str, str, list[str]]) -> None:
    url, token, pages = served
    browser, _csrf = login(url, "finance")
    cookie = browser.cookies["synchub_session"]
    for path in pages + API:  # every target answers before the load starts
        assert browser.get(path, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    browser.close()
    log = asyncio.run(load(url, cookie, token, pages))
    failures = Counter((path, outcome) for path, outcome, _ in log if outcome != 200)
    latencies = [seconds for _, outcome, seconds in log if outcome == 200]
    report = {
        "clients": CLIENTS,
        "seconds": SECONDS,
        "requests": len(log),
        "errors": sum(failures.values()),
        "requests_per_second": round(len(log) / SECONDS, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p95_ms": round(1000 * percentile(latencies, 0.95), 1),
        "p99_ms": round(1000 * percentile(latencies, 0.99), 1),
        "max_ms": round(1000 * max(latencies), 1),
        "by_path": dict(Counter(path for path, _, _ in log)),
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(
        f"{CLIENTS} clients, {SECONDS:g} s: {report['requests']} requests "
        f"({report['requests_per_second']}/s), errors {report['errors']}, "
        f"p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, p99 {report['p99_ms']} ms"
    )
    assert failures == Counter()
    assert len(log) > CLIENTS  # every client got answers, not just its first
