"""Finance pages under load: latency of every finance page with 10,000 customers and 100,000 invoices.

A benchmark, not a test (issue 11: "every finance page answers in under 300 ms").
It builds a store of the given size once (cached under var/bench/finance/, keyed
by the sizes and the schema), serves the real web app with uvicorn on 127.0.0.1,
signs in as a finance user and times each page over HTTP, sequentially.

    python -m bench.finance_pages                       # SQLite, 10k customers, 100k invoices
    python -m bench.finance_pages --store postgresql    # the same on the local PostgreSQL
    python -m bench.finance_pages --customers 1000 --invoices 10000 --requests 10

``make bench`` runs it through ``scenario(runs, log)``. Each run times every
page ``requests`` times after two warm-up requests; a run's figure is the worst
page's p95.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import uvicorn
from sqlalchemy import Engine, insert, text

from bench.measure import ROOT, figure
from hub.auth import create_user, get_user
from hub.config_store import generate_key
from hub.finance.reconcile_runs import run_reconciliation
from hub.finance.sql import CONTRACT, CUSTOMER, INVOICE, LINK, MILESTONE, PAYMENT
from hub.settings import Settings
from hub.store import make_engine, upgrade
from hub.store.migrate import current_revision, head_revision
from hub.web.app import create_app

WORK = ROOT / "var" / "bench" / "finance"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "bench_finance"
PASSWORD = "bench-finance-password-1"  # noqa: S105 (a throwaway local user)
TYPES = ("technical_development", "technical_consulting", "product_licence", "operations_service")
RATES = {"product_licence": Decimal("0.13")}
CHUNK = 5_000


@dataclass(frozen=True)
class Sizes:
    """How big the store is."""

    customers: int = 10_000
    invoices: int = 100_000


def _pages(customer_id: str) -> list[str]:
    return [
        "/finance/alerts",
        "/finance/customers?q=%E4%BA%91%E9%93%BE",
        f"/finance/customers/{customer_id}",
        "/finance/contracts",
        "/finance/contracts?flag=delivered_not_invoiced",
        "/finance/ageing",
        "/finance/ageing?offset=5000",
        "/finance/ageing/invoices?bucket=over_90",
        "/finance/revenue",
        "/finance/forecast",
        "/finance/reconciliation",
    ]


# -- the data ---------------------------------------------------------------------------


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def _rows(sizes: Sizes, today: date, seed: int = 11) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """Tables and their rows, parents first; links for two systems ("crm", "erp")."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    base = {"version": 1, "created_at": now, "updated_at": now, "provenance": {}, "extra": {}}
    brands = "云链数信链融智合天衡博睿华信易通瑞达金桥中科海纳"
    customers = [
        {**base, "id": f"C{i:06d}", "number": f"CUST{i:06d}", "status": "active",
         "name": f"{brands[i % 16]}{brands[(i // 16) % 16]}科技{i}有限公司"}
        for i in range(sizes.customers)
    ]  # fmt: skip
    yield CUSTOMER, customers
    contracts, milestones = [], []
    for i in range(int(sizes.customers * 1.5)):
        ctype = TYPES[i % 4]
        start = today - timedelta(days=rng.randint(30, 700))
        amount = _money(rng, 50_000, 3_000_000)
        contracts.append(
            {**base, "id": f"K{i:06d}", "number": f"HT{i:07d}", "customer_id": f"C{i % sizes.customers:06d}",
             "title": f"合同 {i}", "type": ctype, "amount": amount, "currency": "CNY",
             "tax_rate": RATES.get(ctype, Decimal("0.06")), "tax_exempt": False, "sign_date": start,
             "start_date": start, "end_date": start + timedelta(days=365), "status": "active"}
        )  # fmt: skip
        for n in range(3):
            due = start + timedelta(days=120 * (n + 1))
            status = "accepted" if due < today - timedelta(days=20) else (
                "delivered" if due < today else ("in_progress" if n == 0 else "planned"))  # fmt: skip
            if status == "accepted" and rng.random() < 0.1:
                status = "in_progress"  # a slipped milestone
            milestones.append(
                {**base, "id": f"M{i:06d}{n}", "contract_id": f"K{i:06d}", "sequence": n,
                 "name": f"里程碑 {n + 1}", "amount": None, "percent": Decimal(["30", "40", "30"][n]),
                 "due_date": due, "status": status,
                 "accepted_at": datetime.combine(due, datetime.min.time(), UTC) if status == "accepted" else None,
                 "project_item": None}
            )  # fmt: skip
    yield CONTRACT, contracts
    yield MILESTONE, milestones
    invoices, payments = [], []
    for i in range(sizes.invoices):
        contract = contracts[i % len(contracts)]
        net = _money(rng, 1_000, 200_000)
        rate = contract["tax_rate"]
        tax = (net * rate).quantize(Decimal("0.01"))
        issued = today - timedelta(days=rng.randint(0, 400))
        invoices.append(
            {**base, "id": f"I{i:07d}", "number": f"FP{i:08d}", "contract_id": contract["id"],
             "customer_id": contract["customer_id"], "kind": "vat_special", "e_invoice": True,
             "issue_date": issued, "due_date": issued + timedelta(days=30), "net": net, "tax": tax,
             "gross": net + tax, "tax_rate": rate, "currency": "CNY", "status": "issued",
             "reverses_id": None}
        )  # fmt: skip
        roll = rng.random()
        if roll < 0.6:
            paid = net + tax if roll < 0.45 else ((net + tax) / 2).quantize(Decimal("0.01"))
            payments.append(
                {**base, "id": f"P{i:07d}", "number": f"SK{i:08d}", "customer_id": contract["customer_id"],
                 "invoice_id": f"I{i:07d}", "amount": paid, "currency": "CNY",
                 "received_on": issued + timedelta(days=rng.randint(5, 60)), "method": "bank_transfer"}
            )  # fmt: skip
    yield INVOICE, invoices
    yield PAYMENT, payments
    links = []
    for entity, rows, amount in (
        ("customer", customers, None), ("contract", contracts, "amount"),
        ("invoice", invoices, "gross"), ("payment", payments, "amount"),
    ):  # fmt: skip
        for system in ("crm", "erp"):
            for n, row in enumerate(rows):
                if system == "crm" and n % 997 == 0 and entity != "customer":
                    continue  # missing in the CRM: some mismatches to show
                values: dict[str, Any] = {"number": row.get("number"), "status": row.get("status")}
                if amount:
                    value = row[amount] + (Decimal(1) if system == "erp" and n % 1499 == 0 else 0)
                    values[amount] = str(value)
                if entity == "invoice":
                    values.update(
                        net=str(row["net"]), tax=str(row["tax"]), tax_rate=str(row["tax_rate"])
                    )
                links.append(
                    {"entity": entity, "hub_id": row["id"], "connector": system,
                     "stream": entity + "s", "remote_id": f"{system}-{row['id']}",
                     "remote_key": row.get("number"), "values": values, "raw": {"id": row["id"]},
                     "last_run_id": None, "updated_at": now}
                )  # fmt: skip
    yield LINK, links


def build_store(engine: Engine, sizes: Sizes, today: date, log: Callable[[str], None]) -> None:
    """Create the schema and insert the generated business."""
    upgrade(engine)
    for table, rows in _rows(sizes, today):
        started = time.perf_counter()
        with engine.begin() as conn:
            for start in range(0, len(rows), CHUNK):
                conn.execute(insert(table), rows[start : start + CHUNK])
        log(f"  {table.name}: {len(rows):,} rows in {time.perf_counter() - started:.1f} s")
    # what autovacuum does in production: statistics, and visibility maps for index-only counts
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


@contextmanager
def prepared_store(store: str, sizes: Sizes, log: Callable[[str], None]) -> Iterator[Engine]:
    """The benchmark store, built on first use and reused while sizes, day and schema match.

    PostgreSQL keeps one schema (``bench_finance``) for the last sizes built.
    """
    today = datetime.now(UTC).date()
    WORK.mkdir(parents=True, exist_ok=True)
    name = f"{store}-{sizes.customers}-{sizes.invoices}"
    stamp_file = WORK / f"{name}.json"
    if store == "sqlite":
        url = f"sqlite:///{WORK / name}.db"
        engine = make_engine(url)
    else:
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{PG_SCHEMA}"'))
        admin.dispose()
        url = PG_URL
        engine = make_engine(PG_URL, schema=PG_SCHEMA)
    wanted = {"sizes": vars(sizes), "today": today.isoformat(), "schema": head_revision(engine)}
    stamp = json.loads(stamp_file.read_text()) if stamp_file.exists() else None
    if stamp != wanted or _applied(engine) != wanted["schema"]:
        log(
            f"building the {store} store: {sizes.customers:,} customers, {sizes.invoices:,} invoices"
        )
        engine.dispose()
        engine = _fresh(store, url, name)
        build_store(engine, sizes, today, log)
        stamp_file.write_text(json.dumps(wanted))
    try:
        yield engine
    finally:
        engine.dispose()


def _applied(engine: Engine) -> str | None:
    try:
        return current_revision(engine)
    except Exception:
        return None


def _fresh(store: str, url: str, name: str) -> Engine:
    if store == "sqlite":
        for leftover in WORK.glob(f"{name}.db*"):
            leftover.unlink()
        return make_engine(url)
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    admin.dispose()
    return make_engine(PG_URL, schema=PG_SCHEMA)


# -- serving and timing -------------------------------------------------------------------


@contextmanager
def served(settings: Settings, engine: Engine) -> Iterator[str]:
    """The web app on a free loopback port (stopped on exit)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, engine), log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def sign_in(url: str) -> httpx.Client:
    """A client with the finance user's session."""
    client = httpx.Client(base_url=url, timeout=60)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post(
        "/login",
        data={
            "username": "finance",
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "/",
        },
    )
    assert answer.status_code in (200, 303), answer.text[:200]
    return client


def time_pages(
    client: httpx.Client, pages: list[str], requests: int
) -> dict[str, dict[str, float]]:
    """Per page: p50, p95 and max milliseconds over ``requests`` timed requests."""
    result = {}
    for path in pages:
        for _ in range(2):
            client.get(path).raise_for_status()
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            answer = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
        samples.sort()
        result[path] = {
            "p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[max(0, int(len(samples) * 0.95 + 0.5) - 1)], 1),
            "max_ms": round(samples[-1], 1),
        }
    return result


def measure(
    store: str, sizes: Sizes, runs: int, requests: int, log: Callable[[str], None]
) -> dict[str, Any]:
    """Build or reuse the store, then time every page ``runs`` times."""
    with prepared_store(store, sizes, log) as engine:
        settings = Settings(
            database_url=str(engine.url.render_as_string(hide_password=False)),
            data_dir=WORK,
            secret_key=generate_key(),
        )
        if get_user(engine, name="finance") is None:
            create_user(engine, "finance", PASSWORD, "finance", actor="bench")
        started = time.perf_counter()
        recon = run_reconciliation(engine, settings.zone, trigger="bench")
        recon_s = time.perf_counter() - started
        log(f"reconciliation job: {recon_s:.1f} s, {len(recon.mismatches):,} mismatches")
        pages = _pages("C000042")
        worst: list[float] = []
        detail: dict[str, dict[str, float]] = {}
        with served(settings, engine) as url:
            client = sign_in(url)
            try:
                for run in range(runs):
                    detail = time_pages(client, pages, requests)
                    worst.append(max(p["p95_ms"] for p in detail.values()))
                    log(f"run {run + 1}/{runs}: worst page p95 {worst[-1]:.0f} ms")
            finally:
                client.close()
    return {
        "store": store,
        "customers": sizes.customers,
        "invoices": sizes.invoices,
        "requests_per_page": requests,
        "p95_ms": figure(worst),
        "pages": detail,
        "reconciliation_job_s": round(recon_s, 2),
        "mismatches": len(recon.mismatches),
    }


def scenario(runs: int, log: Callable[[str], None]) -> dict[str, Any]:
    """The ``make bench`` hook: SQLite at the issue's sizes."""
    return measure("sqlite", Sizes(), runs, 20, log)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.finance_pages", description=__doc__)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--customers", type=int, default=Sizes.customers)
    parser.add_argument("--invoices", type=int, default=Sizes.invoices)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    result = measure(
        args.store, Sizes(args.customers, args.invoices), args.runs, args.requests, log
    )
    out = ROOT / "bench" / "results" / f"finance_pages-{args.store}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
