"""The scenarios of issue 13, each returning its figures (``bench.measure.figure`` form).

Every scenario starts its own sandbox process, seeds it, and runs each client
``runs`` times in fresh processes, alternating clients within a round so that
the ratios compare runs made on the same server at the same moment.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench import canonical
from bench.measure import db_path, figure, listing_requests, run_client
from bench.remote import RemoteSandbox

Log = Callable[[str], None]
UNBOUNDED_PAGES = 10**9
"""``discrete_limit`` for the peers: page numbers to the end (see docs/benchmarks.md)."""


@dataclass(frozen=True)
class Sizes:
    """Every size the scenarios take; the defaults are the issue's."""

    runs: int = 3
    records: int = 100_000
    memory_records: int = 1_000_000
    latency_records: int = 20_000
    latency_ms: float = 50.0
    latency_concurrency: int = 4
    changed_fraction: float = 0.01
    push_records: int = 10_000
    quota_rate: float = 5.0
    quota_records: int = 20_000


def zoho(**options: Any) -> RemoteSandbox:
    """A Zoho CRM sandbox process whose list calls come from ``bench.zoho_index``."""
    sandbox = RemoteSandbox("zoho-crm", companies=1, discrete_limit=UNBOUNDED_PAGES, **options)
    sandbox.start()
    sandbox.call("index")
    return sandbox


def check_index(sandbox: RemoteSandbox, config: dict[str, Any]) -> None:
    """The indexed list answers equal the sandbox's own, on the live data (or raise)."""
    import httpx

    from bench.clients.zoho_fields import ACCOUNT_FIELDS

    base = config["accounts_url"]
    form = {
        "grant_type": "refresh_token",
        "client_id": config["client_id"],
        "client_secret": config["client_secret"],
        "refresh_token": config["refresh_token"],
    }
    token = httpx.post(f"{base}/oauth/v2/token", data=form).json()["access_token"]
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    first = None
    queries: list[tuple[dict[str, Any], dict[str, str]]] = []
    for by in ("id", "Modified_Time"):
        for order in ("asc", "desc"):
            for page in (1, 2, 7):
                params = {"fields": ",".join(ACCOUNT_FIELDS), "per_page": 200, "page": page}
                queries.append(({**params, "sort_by": by, "sort_order": order}, {}))
    with httpx.Client(base_url=base, headers=headers) as client:
        first = client.get("/crm/v8/Accounts", params=queries[0][0]).json()["data"]
        since = first[len(first) // 2]["Modified_Time"]
        for order in ("asc", "desc"):
            params = {"fields": ",".join(ACCOUNT_FIELDS), "per_page": 200, "page": 1}
            queries.append(
                ({**params, "sort_by": "Modified_Time", "sort_order": order},
                 {"If-Modified-Since": since})
            )  # fmt: skip
        for params, extra in queries:
            answers = []
            for enabled in (False, True):
                sandbox.call("index", enabled=enabled)
                response = client.get("/crm/v8/Accounts", params=params, headers=extra)
                body = response.json() if response.content else {}
                answers.append((response.status_code, body.get("data"), _info(body)))
            if answers[0] != answers[1]:
                raise AssertionError(f"indexed list differs from the sandbox's for {params}")


def _info(body: dict[str, Any]) -> dict[str, Any]:
    info = dict(body.get("info") or {})
    for volatile in ("next_page_token", "page_token_expiry"):
        info[volatile] = bool(info.get(volatile))
    return info


def per_1k(figures: dict[str, Any], key: str = "cpu_s") -> float:
    return 1000 * float(figures[key]) / max(int(figures["records"]), 1)


def rate(figures: dict[str, Any]) -> float:
    return float(figures["records"]) / float(figures["wall_s"])


# -- 1, 2, 4: full pull against dlt and the raw ceiling, then incremental -----------------------
def full_pull(sizes: Sizes, log: Log) -> dict[str, Any]:
    """Hub, dlt and raw pulls of the same accounts per round; incremental runs after the hub's."""
    runs: dict[str, list[dict[str, Any]]] = {"hub": [], "dlt": [], "raw": []}
    incremental: dict[str, list[dict[str, Any]]] = {"unchanged": [], "changed": []}
    sandbox = zoho()
    try:
        for round_ in range(sizes.runs):
            log(f"full pull round {round_ + 1}: loading {sizes.records:,} accounts")
            sandbox.call("load_accounts", sizes.records)
            if round_ == 0:
                check_index(sandbox, sandbox.config)
            common = {"config": sandbox.config}
            runs["raw"].append(run_client("raw:pull", sandbox, db=db_path("raw"), **common))
            runs["dlt"].append(run_client("dlt_pull:pull", sandbox, db=db_path("dlt"), **common))
            hub_db = db_path("hub")
            runs["hub"].append(run_client("hub:pull", sandbox, db=hub_db, **common))
            hub_rate, dlt_rate, raw_rate = (rate(runs[k][-1]) for k in ("hub", "dlt", "raw"))
            log(f"  records/s hub {hub_rate:.0f}, dlt {dlt_rate:.0f}, raw {raw_rate:.0f}")
            time.sleep(1.1)  # the next run's watermark second is past the full run's
            incremental["unchanged"].append(
                run_client("hub:pull", sandbox, db=hub_db, full=False, fresh=False, **common)
            )
            changed = max(1, round(sizes.records * sizes.changed_fraction))
            sandbox.call("touch_accounts", changed, seed=round_)
            incremental["changed"].append(
                run_client("hub:pull", sandbox, db=hub_db, full=False, fresh=False, **common)
            )
            still, edited = incremental["unchanged"][-1], incremental["changed"][-1]
            log(
                f"  incremental: unchanged {still['wall_s']:.2f}s "
                f"({listing_requests(still)} list calls), "
                f"{changed} changed {edited['wall_s']:.2f}s"
            )
    finally:
        sandbox.stop()
    return {
        "full": _pull_summary(runs),
        "incremental": _incremental_summary(incremental, runs["hub"], sizes),
        "raw_runs": {"full": runs, "incremental": incremental},
    }


def _pull_summary(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, items in runs.items():
        out[name] = {
            "records": items[0]["records"],
            "records_per_s": figure(rate(f) for f in items),
            "wall_s": figure(f["wall_s"] for f in items),
            "cpu_s_per_1k": figure(per_1k(f) for f in items),
            "http_requests": figure(sum(f["server_requests"].values()) for f in items),
            "peak_rss_mb": figure(f["peak_rss_mb"] for f in items),
            "server_cpu_s": figure(f["server_cpu_s"] for f in items),
        }
    hub = runs["hub"]
    out["ratio_hub_to_dlt"] = figure(
        rate(h) / rate(d) for h, d in zip(hub, runs["dlt"], strict=True)
    )
    out["ratio_hub_to_raw"] = figure(
        rate(h) / rate(r) for h, r in zip(hub, runs["raw"], strict=True)
    )
    return out


def _incremental_summary(
    inc: dict[str, list[dict[str, Any]]], full: list[dict[str, Any]], sizes: Sizes
) -> dict[str, Any]:
    unchanged, changed = inc["unchanged"], inc["changed"]
    return {
        "unchanged": {
            "wall_s": figure(f["wall_s"] for f in unchanged),
            "list_requests": figure(listing_requests(f) for f in unchanged),
            "http_requests": figure(sum(f["server_requests"].values()) for f in unchanged),
            "records_read": figure(f["records"] for f in unchanged),
        },
        "changed": {
            "records_changed": max(1, round(sizes.records * sizes.changed_fraction)),
            "wall_s": figure(f["wall_s"] for f in changed),
            "updated": figure(f["updated"] for f in changed),
            "list_requests": figure(listing_requests(f) for f in changed),
            "fraction_of_full": figure(
                c["wall_s"] / h["wall_s"] for c, h in zip(changed, full, strict=True)
            ),
        },
    }


# -- 3: latency-bound pull ----------------------------------------------------------------------
def latency_pull(sizes: Sizes, log: Log) -> dict[str, Any]:
    """The hub against async raw loops with the same and with more pages in flight."""
    runs: dict[str, list[dict[str, Any]]] = {"hub": [], "raw_same": [], "raw_wide": []}
    sandbox = zoho()
    try:
        sandbox.call("load_accounts", sizes.latency_records)
        sandbox.call("faults", latency=sizes.latency_ms / 1000)
        common = {"config": sandbox.config}
        for round_ in range(sizes.runs):
            runs["raw_same"].append(
                run_client("raw:pull_async", sandbox, db=db_path("raw1"), concurrency=1, **common)
            )
            runs["raw_wide"].append(
                run_client(
                    "raw:pull_async",
                    sandbox,
                    db=db_path("rawn"),
                    concurrency=sizes.latency_concurrency,
                    **common,
                )
            )
            runs["hub"].append(run_client("hub:pull", sandbox, db=db_path("hub-lat"), **common))
            hub_s, same_s, wide_s = (runs[k][-1]["wall_s"] for k in ("hub", "raw_same", "raw_wide"))
            log(
                f"latency round {round_ + 1}: hub {hub_s:.2f}s, raw (1 in flight) {same_s:.2f}s, "
                f"raw ({sizes.latency_concurrency} in flight) {wide_s:.2f}s"
            )
    finally:
        sandbox.stop()
    hub = runs["hub"]
    return {
        "latency_ms": sizes.latency_ms,
        "records": sizes.latency_records,
        "wall_s": {k: figure(f["wall_s"] for f in v) for k, v in runs.items()},
        "cpu_s": {k: figure(f["cpu_s"] for f in v) for k, v in runs.items()},
        "list_requests": {k: figure(listing_requests(f) for f in v) for k, v in runs.items()},
        "ratio_hub_to_raw_same": figure(
            h["wall_s"] / r["wall_s"] for h, r in zip(hub, runs["raw_same"], strict=True)
        ),
        "ratio_hub_to_raw_wide": figure(
            h["wall_s"] / r["wall_s"] for h, r in zip(hub, runs["raw_wide"], strict=True)
        ),
        "wide_concurrency": sizes.latency_concurrency,
        "raw_runs": runs,
    }


# -- 5: push ----------------------------------------------------------------------------------
PUSH_TARGETS = (
    ("kingdee", "kingdee", "customers", {}),
    ("zoho", "zoho-crm", "accounts", {"companies": 1}),
)


def push(sizes: Sizes, log: Log) -> dict[str, Any]:
    """Push ``push_records`` canonical customers to Kingdee and to Zoho, ``runs`` times each."""
    template = db_path("push-template")
    canonical.seed_store(template, sizes.push_records)
    out: dict[str, Any] = {"records": sizes.push_records}
    for label, connector, stream, options in PUSH_TARGETS:
        items = []
        for round_ in range(sizes.runs):
            with RemoteSandbox(connector, **options) as sandbox:
                if connector == "zoho-crm":
                    sandbox.call("clear", "Accounts")
                items.append(
                    run_client(
                        "hub:push",
                        sandbox,
                        db=db_path(f"push-{label}"),
                        template=template,
                        connector_type=connector,
                        stream=stream,
                        config=sandbox.config,
                    )
                )
            log(
                f"push {label} round {round_ + 1}: {items[-1]['records']} records, "
                f"{items[-1]['requests']} requests, {rate(items[-1]):.0f} records/s"
            )
        out[label] = {
            "batch_size": _batch_size(connector, stream, items[0]),
            "requests_per_record": figure(f["requests"] / max(f["records"], 1) for f in items),
            "requests": figure(f["requests"] for f in items),
            "records": figure(f["records"] for f in items),
            "failed": figure(f["failed"] for f in items),
            "records_per_s": figure(rate(f) for f in items),
            "cpu_s_per_1k": figure(per_1k(f) for f in items),
            "server_cpu_s": figure(f["server_cpu_s"] for f in items),
            "server_requests": items[0]["server_requests"],
        }
    return out


def _batch_size(connector: str, stream: str, figures: dict[str, Any]) -> int:
    from connectors.sdk import registry

    cls = registry.load(connector)
    for declared in cls.streams:
        if declared.name == stream:
            return int(declared.write_batch_size)
    return 0


# -- 6: memory scaling --------------------------------------------------------------------------
def memory(sizes: Sizes, log: Log, at_small: dict[str, Any] | None) -> dict[str, Any]:
    """Peak RSS of full pulls at ``records`` (reused from the full pull) and ``memory_records``."""
    out: dict[str, Any] = {}
    sizes_to_run = [sizes.memory_records] + ([] if at_small else [sizes.records])
    for count in sizes_to_run:
        items = []
        sandbox = zoho()
        try:
            sandbox.call("load_accounts", count)
            for round_ in range(sizes.runs):
                items.append(
                    run_client("hub:pull", sandbox, db=db_path("hub-mem"), config=sandbox.config)
                )
                log(
                    f"memory {count:,} round {round_ + 1}: peak RSS "
                    f"{items[-1]['peak_rss_mb']:.0f} MB, {rate(items[-1]):.0f} records/s"
                )
        finally:
            sandbox.stop()
        out[str(count)] = {
            "peak_rss_mb": figure(f["peak_rss_mb"] for f in items),
            "records_per_s": figure(rate(f) for f in items),
            "cpu_s_per_1k": figure(per_1k(f) for f in items),
        }
    if at_small:
        out[str(sizes.records)] = {
            "peak_rss_mb": at_small["peak_rss_mb"],
            "records_per_s": at_small["records_per_s"],
            "cpu_s_per_1k": at_small["cpu_s_per_1k"],
        }
    small = out[str(sizes.records)]["peak_rss_mb"]["median"]
    large = out[str(sizes.memory_records)]["peak_rss_mb"]["median"]
    out["growth"] = round(large / small - 1, 4)
    out["sizes"] = [sizes.records, sizes.memory_records]
    return out


# -- 7: quota -----------------------------------------------------------------------------------
def quota(sizes: Sizes, log: Log) -> dict[str, Any]:
    """The sandbox refuses beyond ``quota_rate`` requests/s; the hub is told that rate."""
    items = []
    sandbox = zoho()
    try:
        sandbox.call("load_accounts", sizes.quota_records)
        burst = max(1, round(sizes.quota_rate))
        config = dict(sandbox.config, http={"rate_per_second": sizes.quota_rate})
        for round_ in range(sizes.runs):
            sandbox.call("faults", rate_limit=sizes.quota_rate, rate_burst=burst)
            items.append(run_client("hub:pull", sandbox, db=db_path("hub-quota"), config=config))
            sandbox.call("faults", rate_limit=None)
            f = items[-1]
            log(
                f"quota round {round_ + 1}: {_sent(f)} requests in {f['wall_s']:.1f}s "
                f"({_sent(f) / f['wall_s']:.2f}/s of {sizes.quota_rate}), "
                f"{f['by_status'].get('429', 0)} answered 429"
            )
    finally:
        sandbox.stop()
    return {
        "limit_per_s": sizes.quota_rate,
        "burst": max(1, round(sizes.quota_rate)),
        "records": sizes.quota_records,
        "achieved_per_s": figure(_sent(f) / f["wall_s"] for f in items),
        "fraction_of_limit": figure(_sent(f) / f["wall_s"] / sizes.quota_rate for f in items),
        "requests": figure(_sent(f) for f in items),
        "answered_429": figure(f["by_status"].get("429", 0) for f in items),
        "share_429": figure(f["by_status"].get("429", 0) / _sent(f) for f in items),
    }


def _sent(figures: dict[str, Any]) -> int:
    return int(sum(figures["server_requests"].values()))
