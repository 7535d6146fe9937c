"""The practical ceiling: a minimal hand-written httpx loop storing raw rows in SQLite.

No mapping, validation, matching, change log or cursor: one token request, then
list pages (``page``/``per_page``; the benchmark sandbox allows page numbers to
the end), each page's rows inserted as (id, modified time, JSON) in one
``executemany`` and committed. ``pull_async`` keeps ``concurrency`` pages in
flight, the ceiling for the latency-bound scenario.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx

from bench.clients.zoho_fields import ACCOUNT_FIELDS


def _db(path: str) -> sqlite3.Connection:
    target = Path(path)
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE accounts (id TEXT PRIMARY KEY, modified TEXT, raw TEXT)")
    return conn


def _token(client: httpx.Client | httpx.AsyncClient, config: dict[str, Any]) -> dict[str, Any]:
    return {
        "grant_type": "refresh_token",
        "client_id": config["client_id"],
        "client_secret": config["client_secret"],
        "refresh_token": config["refresh_token"],
    }


def _params(page: int, per_page: int) -> dict[str, Any]:
    return {
        "fields": ",".join(ACCOUNT_FIELDS),
        "per_page": per_page,
        "page": page,
        "sort_by": "id",
        "sort_order": "asc",
    }


def _store(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO accounts VALUES (?, ?, ?)",
        [(r["id"], r.get("Modified_Time"), json.dumps(r, ensure_ascii=False)) for r in rows],
    )
    conn.commit()


def pull(db: str, config: dict[str, Any], per_page: int = 200) -> dict[str, Any]:
    """Read every account page by page, one request at a time."""
    conn = _db(db)
    base = config["accounts_url"]
    requests = records = 0
    with httpx.Client(base_url=base, timeout=60) as client:
        token = client.post("/oauth/v2/token", data=_token(client, config)).json()
        client.headers["Authorization"] = f"Zoho-oauthtoken {token['access_token']}"
        page = 1
        while True:
            response = client.get("/crm/v8/Accounts", params=_params(page, per_page))
            requests += 1
            if response.status_code == 204:
                break
            body = response.json()
            _store(conn, body["data"])
            records += len(body["data"])
            if not body["info"]["more_records"]:
                break
            page += 1
    conn.close()
    return {"records": records, "requests": requests + 1}


async def pull_async(
    db: str, config: dict[str, Any], concurrency: int = 4, per_page: int = 200
) -> dict[str, Any]:
    """Read every account with ``concurrency`` pages in flight (waves of page numbers)."""
    conn = _db(db)
    base = config["accounts_url"]
    requests = records = 0
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        token = (await client.post("/oauth/v2/token", data=_token(client, config))).json()
        client.headers["Authorization"] = f"Zoho-oauthtoken {token['access_token']}"
        page, more = 1, True
        while more:
            wave = range(page, page + concurrency)
            answers = await asyncio.gather(
                *(client.get("/crm/v8/Accounts", params=_params(p, per_page)) for p in wave)
            )
            requests += len(answers)
            for response in answers:
                if response.status_code == 204:
                    more = False
                    continue
                body = response.json()
                _store(conn, body["data"])
                records += len(body["data"])
                more = more and bool(body["info"]["more_records"])
            page += concurrency
    conn.close()
    return {"records": records, "requests": requests + 1}
