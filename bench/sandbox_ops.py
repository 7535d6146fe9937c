"""Commands a ``RemoteSandbox`` child runs on its sandbox (see ``bench.remote``).

Seeding goes around the sandbox's write path on purpose: ``Org.apply`` checks
uniqueness by scanning every record (fine for tests, quadratic for 10^6
records), and generated benchmark data is unique by construction.
"""

from __future__ import annotations

import os
import random
from datetime import timedelta
from typing import Any

from connectors.sdk.cn import make_uscc

ACCOUNTS = "Accounts"


def load_accounts(sb: Any, count: int, *, spread_days: float = 30.0, seed: int = 7) -> int:
    """Replace Accounts with ``count`` records modified over the last ``spread_days``.

    Modification times are spread (Zoho stamps to the second), as in an org
    whose records were edited over weeks; ids ascend with time.
    """
    rng = random.Random(seed)
    org = sb.org
    with sb.lock:
        store = org.records[ACCOUNTS]
        store.clear()
        org.deleted[ACCOUNTS].clear()
        now = org.now()
        step = timedelta(days=spread_days) / max(count, 1)
        owner = org.owner()
        for n in range(count):
            when = (now - step * (count - n)).replace(microsecond=0)
            record = _account(n, rng)
            record.update(
                id=org.new_id(),
                Owner=owner,
                Created_By=owner,
                Modified_By=owner,
                Created_Time=when,
                Modified_Time=when,
            )
            store[record["id"]] = record
        _bump(sb)
    return len(store)


def _account(n: int, rng: random.Random) -> dict[str, Any]:
    return {
        "Account_Name": f"杭州基准{n:07d}号信息科技有限公司",
        "Tax_ID": make_uscc(rng, "330100"),
        "Phone": f"0571-{80000000 + n}",
        "Industry": "软件和信息技术服务",
        "Account_Type": ("Customer", "Partner", "Prospect")[n % 3],
        "Billing_Street": f"杭州市滨江区网商路{n + 1}号",
        "Billing_City": "杭州",
        "Billing_Country": "中国",
        "Finance_Email": f"finance.b{n}@example.cn",
        "Bank_Name": "招商银行",
        "Bank_Account": str(6225880000000000 + n),
    }


def touch_accounts(sb: Any, count: int, *, seed: int = 11) -> int:
    """Edit ``count`` accounts now, as users would: a new phone number each."""
    org = sb.org
    with sb.lock:
        store = org.records[ACCOUNTS]
        ids = random.Random(seed).sample(sorted(store), min(count, len(store)))
        now = org.now()
        for rid in ids:
            record = store[rid]
            record["Phone"] = f"0571-{rng_phone(rid)}"
            record["Modified_Time"] = now
        _bump(sb)
    return len(ids)


def rng_phone(rid: str) -> int:
    return 60000000 + int(rid) % 9999999


def clear(sb: Any, module: str) -> None:
    """Remove every record of ``module``."""
    with sb.lock:
        sb.org.records[module].clear()
        sb.org.deleted[module].clear()
        _bump(sb)


def count(sb: Any, module: str) -> int:
    """Live records of ``module``."""
    with sb.lock:
        return len(sb.org.records[module])


def faults(sb: Any, **switches: Any) -> None:
    """Set ``FaultPlan`` switches (latency, rate_limit, rate_burst, retry_after)."""
    with sb.lock:
        plan = sb.faults
        for key, value in switches.items():
            setattr(plan, key, value)
        plan._tokens, plan._updated = 0.0, None


def requests(sb: Any, *, reset: bool = True) -> dict[str, int]:
    """Requests served since the last reset, as ``"METHOD path": n``."""
    with sb.lock:
        counted = {f"{m} {p}": n for (m, p), n in sb.requests.items()}
        if reset:
            sb.requests.clear()
    return counted


def cpu_seconds(sb: Any) -> float:
    """CPU time the sandbox process has used so far."""
    times = os.times()
    return times.user + times.system


def call(sb: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call a public method of the sandbox (``reset``, ``remote_ids``...)."""
    assert not method.startswith("_")
    try:
        return getattr(sb, method)(*args, **kwargs)
    finally:
        _bump(sb)


def index(sb: Any, *, enabled: bool = True) -> int:
    """Serve list calls from ``bench.zoho_index`` (installed on first use); returns the generation."""
    from bench.zoho_index import ListIndex

    found = getattr(sb, "bench_index", None) or ListIndex(sb).install()
    found.enabled = enabled
    return int(found.generation)


def _bump(sb: Any) -> None:
    found = getattr(sb, "bench_index", None)
    if found is not None:
        found.generation += 1
