"""A faithful YonBIP simulator: discovery, signed tokens, MDD saves, batch results, throttling.

Switches (constructor keywords) cover what the facts file leaves UNCERTAIN:
``token_ttl`` (the ``expire`` it hands out), ``timestamp_skew`` (signature
window), ``idempotency_ttl`` (how long a resubmit key replays the first answer
before ``100004``), ``api_budget_per_minute`` (per-API quota, answered with
``310046``), ``rate_limit_mode`` ("code": HTTP 200 + code, "http429").
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal

from starlette.responses import Response

from connectors.sdk.fakedata import Universe, build_universe
from connectors.sdk.sandbox import ASGIApp, Sandbox
from connectors.yonyou_bip.sandbox.app import BipApp
from connectors.yonyou_bip.sandbox.records import invalid, render, sample
from connectors.yonyou_bip.sandbox.store import LINES, BipStore
from connectors.yonyou_bip.wire import dumps, format_stamp

PATHS: dict[str, dict[str, tuple[str, str]]] = {
    "customers": {
        "newlist": ("POST", "/yonbip/digitalModel/merchant/newlist"),
        "list": ("POST", "/yonbip/digitalModel/merchant/list"),
        "detail": ("GET", "/yonbip/digitalModel/merchant/detail"),
        "batch_detail": ("POST", "/yonbip/digitalModel/merchant/newBatchDetail"),
        "insert": ("POST", "/yonbip/digitalModel/merchant/idempotent/newinsert"),
        "update": ("POST", "/yonbip/digitalModel/merchant/save"),
    },
    "sales_orders": {
        "list": ("POST", "/yonbip/sd/voucherorder/list"),
        "detail": ("GET", "/yonbip/sd/voucherorder/detail"),
        "save": ("POST", "/yonbip/sd/voucherorder/singleSave"),
    },
    "sales_invoices": {
        "list": ("POST", "/yonbip/sd/vouchersaleinvoice/list"),
        "detail": ("GET", "/yonbip/sd/vouchersaleinvoice/detail"),
        "save": ("POST", "/yonbip/sd/vouchersaleinvoice/singleSave"),
    },
    "receivables": {
        "list": ("POST", "/yonbip/fi/oar/list"),
        "detail": ("GET", "/yonbip/fi/oar/detail"),
        "batch_save": ("POST", "/yonbip/fi/oar/save"),
    },
    "receipts": {
        "list": ("POST", "/yonbip/fi/receivebill/list/v2"),
        "detail": ("GET", "/yonbip/fi/receivebill/detail"),
        "save": ("POST", "/yonbip/fi/receivebill/single/save"),
    },
}
TOUCH_FIELD = {
    "customers": "industry",
    "sales_orders": "memo",
    "sales_invoices": "memo",
    "receivables": "memo",
    "receipts": "memo",
}


class YonyouBipSandbox(Sandbox):
    """The simulator; state in memory under ``lock``."""

    name: ClassVar[str] = "yonyou-bip"

    def __init__(
        self,
        *,
        seed: int = 0,
        companies: int = 20,
        universe: Universe | None = None,
        app_key: str = "sandbox-app-key-0001",
        app_secret: str = "sandbox-app-secret-0123456789abcdef",  # noqa: S107 - a sandbox
        tenant_id: str = "sandboxtenant",
        token_ttl: int = 7200,
        timestamp_skew: int = 300,
        idempotency_ttl: int = 3600,
        max_page_size: int = 500,
        api_budget_per_minute: int | None = None,
        rate_limit_mode: Literal["code", "http429"] = "code",
        rate_limit_code: str = "310046",
    ) -> None:
        super().__init__(seed=seed)
        self.app_key, self.app_secret, self.tenant_id = app_key, app_secret, tenant_id
        # ``synchub sandbox --option KEY=VALUE`` passes text: numbers are coerced here.
        self.token_ttl, self.timestamp_skew = int(token_ttl), int(timestamp_skew)
        self.idempotency_ttl, self.max_page_size = int(idempotency_ttl), int(max_page_size)
        budget = api_budget_per_minute
        self.api_budget_per_minute = None if budget is None else int(budget)
        if rate_limit_mode not in ("code", "http429"):
            raise ValueError(
                f"rate_limit_mode must be 'code' or 'http429', not {rate_limit_mode!r}"
            )
        self.rate_limit_mode, self.rate_limit_code = rate_limit_mode, rate_limit_code
        self.paths = PATHS
        self.numeric_code_paths = frozenset({PATHS["customers"]["newlist"][1]})
        """Routes answering ``"code": 200`` as a number, as the doc examples show."""
        self.auth_clock_offset = timedelta(0)
        self.tokens: dict[str, datetime] = {}
        self.resubmits: dict[tuple[str, str], tuple[Any, str, datetime]] = {}
        self.calls: dict[str, list[datetime]] = defaultdict(list)
        self.store = BipStore(self.clock.now)
        self.universe = universe or build_universe(seed, companies)
        for stream, rows in render(self.universe, self.store.next_id).items():
            self.store.load(stream, rows)

    def server_time(self) -> datetime:
        """The gateway's wall clock, for the signature window.

        Kept apart from ``clock`` (the data clock tests freeze and move to stamp
        ``pubts``): a frozen data clock must not make every signature stale.
        ``auth_clock_offset`` simulates a gateway whose clock is off.
        """
        return datetime.now(UTC) + self.auth_clock_offset

    # -- app ---------------------------------------------------------------------------
    def build_app(self) -> ASGIApp:
        """The vendor API (faults are added by ``app()``)."""
        return BipApp(self)

    def rate_limit_response(self, retry_after: float | None) -> tuple[int, dict[str, str], bytes]:
        """HTTP 200 with a 3100xx code and no Retry-After (or a bare 429 in http429 mode)."""
        return self._throttle_parts()

    def _throttle_parts(self) -> tuple[int, dict[str, str], bytes]:
        body = dumps({"code": self.rate_limit_code, "message": "触发了API级限流，请稍后再试"})
        status = 429 if self.rate_limit_mode == "http429" else 200
        return status, {"content-type": "application/json;charset=UTF-8"}, body

    def throttled(self) -> Response:
        """The throttling answer as a Starlette response (for the per-API budget)."""
        status, headers, body = self._throttle_parts()
        return Response(body, status_code=status, headers=headers)

    def error_response(self, status: int) -> tuple[int, dict[str, str], bytes]:
        """An injected gateway failure: the status with a JSON body naming the backend error."""
        return (
            status,
            {"content-type": "application/json"},
            dumps({"code": "310071", "message": "HTTP请求失败"}),
        )

    def over_budget(self, path: str) -> bool:
        """Per-API calls in the last minute beyond ``api_budget_per_minute`` (lock held)."""
        if self.api_budget_per_minute is None:
            return False
        now = self.clock.now()
        recent = [t for t in self.calls[path] if t > now - timedelta(minutes=1)]
        self.calls[path] = recent
        if len(recent) >= self.api_budget_per_minute:
            return True
        recent.append(now)
        return False

    def replay(self, path: str, key: str) -> Any:
        """The remembered answer for a resubmit key: the first answer within the TTL, else 100004."""
        seen = self.resubmits.get((path, key))
        if seen is None:
            return None
        answer, rid, at = seen
        if self.clock.now() - at <= timedelta(seconds=self.idempotency_ttl):
            return answer
        body = dumps({"code": "100004", "message": "幂等接口，重复提交请求", "data": {"id": rid}})
        return Response(body, media_type="application/json;charset=UTF-8")

    def remember(self, path: str, key: str, answer: Any, rid: str) -> None:
        """Cache a successful answer under its resubmit key (failures are not cached)."""
        self.resubmits[(path, key)] = (answer, rid, self.clock.now())

    # -- control hooks -------------------------------------------------------------------
    def credentials(self, base_url: str) -> dict[str, Any]:
        """What ``synchub sandbox yonyou-bip --json`` prints."""
        return {
            "base_url": base_url,
            "app_key": self.app_key,
            "app_secret": self.app_secret,
            "tenant_id": self.tenant_id,
        }

    def connector_config(self, base_url: str) -> dict[str, Any]:
        """Discovery through this sandbox, then everything as a real tenant."""
        return {
            "discovery_url": base_url,
            "tenant_id": self.tenant_id,
            "app_key": self.app_key,
            "app_secret": self.app_secret,
            "http": {"max_backoff": 0.05, "max_total_seconds": 30},
            "rate_limit_wait": 0.01,
        }

    def _any_customer(self) -> str:
        customers = self.store.records["customers"]
        if not customers:
            self.store.load(
                "customers", render(build_universe(self.seed, 1), self.store.next_id)["customers"]
            )
        return next(iter(self.store.records["customers"]))

    def reset(self, stream: str, count: int) -> list[str]:
        """Replace ``stream`` with ``count`` generated records; returns their ids."""
        with self.lock:
            if stream == "customers":
                universe = build_universe(self.seed, count)
                rows = render(universe, self.store.next_id)["customers"]
            else:
                cust = self._any_customer()
                rows = []
                for n in range(count):
                    row = self.store._insert(stream, sample(stream, n, cust))
                    del self.store.records[stream][row["id"]]
                    rows.append(row)
            self.store.load(stream, rows)
            return [row["id"] for row in rows]

    def remote_ids(self, stream: str) -> set[str]:
        """Live ids of ``stream``."""
        with self.lock:
            return set(self.store.records[stream])

    def get_record(self, stream: str, remote_id: str) -> dict[str, Any] | None:
        """The stored record as ``detail`` returns it."""
        with self.lock:
            record = self.store.records[stream].get(remote_id)
            return dict(record) if record is not None else None

    def touch(self, stream: str, remote_ids: list[str]) -> None:
        """Edit each record as a user would; ``pubts`` moves to ``clock.now()``."""
        with self.lock:
            stamp = format_stamp(self.clock.now())
            for rid in remote_ids:
                record = self.store.records[stream][rid]
                record[TOUCH_FIELD[stream]] = f"edited {stamp}"
                record["pubts"] = stamp

    def delete(self, stream: str, remote_ids: list[str]) -> None:
        """Delete records (YonBIP offers no deleted-records list; they simply vanish)."""
        with self.lock:
            for rid in remote_ids:
                self.store.records[stream].pop(rid, None)

    def expire_credentials(self) -> None:
        """Every issued token becomes illegal (``310036``)."""
        with self.lock:
            self.tokens.clear()

    def sample_record(self, stream: str, n: int) -> dict[str, Any]:
        """A valid record to write to ``stream``, distinct for each ``n``."""
        with self.lock:
            return sample(stream, n, self._any_customer())

    def invalid_record(self, stream: str) -> tuple[dict[str, Any], str]:
        """A record the vendor refuses, and a word of its refusal message."""
        with self.lock:
            return invalid(stream, self._any_customer())


__all__ = ["LINES", "YonyouBipSandbox"]
