"""A faithful U8 OpenAPI simulator: clear-text token, account parameters, async adds, biz_id/tradeid.

Switches: ``token_ttl`` (``expiresIn``), ``result_delay`` (polls answered
"processing" before an add's result), ``max_rows_per_page``,
``calls_per_minute`` (no limit is documented; when set, excess calls answer
HTTP 429 with ``Retry-After``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from connectors.sdk.fakedata import Universe, build_universe
from connectors.sdk.sandbox import ASGIApp, Sandbox
from connectors.yonyou_u8.sandbox.app import U8App
from connectors.yonyou_u8.sandbox.records import invalid, render, sample
from connectors.yonyou_u8.sandbox.store import KEYS, U8Store
from connectors.yonyou_u8.wire import CHINA, dumps, format_stamp

TOUCH_FIELD = {
    "customers": "memo",
    "sales_orders": "memo",
    "sales_invoices": "memo",
    "receivables": "digest",
    "receipts": "digest",
}


class YonyouU8Sandbox(Sandbox):
    """The simulator; state in memory under ``lock``."""

    name: ClassVar[str] = "yonyou-u8"

    def __init__(
        self,
        *,
        seed: int = 0,
        companies: int = 20,
        universe: Universe | None = None,
        from_account: str = "sandbox_isv",
        to_account: str = "sandbox_u8",
        app_key: str = "opa0123456789abcdef",
        app_secret: str = "sandbox0u8secret0123456789abcdef",  # noqa: S107 - a sandbox
        token_ttl: int = 7200,
        result_delay: int = 0,
        max_rows_per_page: int = 200,
        calls_per_minute: int | None = None,
    ) -> None:
        super().__init__(seed=seed)
        self.from_account, self.to_account = from_account, to_account
        self.app_key, self.app_secret = app_key, app_secret
        # ``synchub sandbox --option KEY=VALUE`` passes text: numbers are coerced here.
        self.token_ttl, self.result_delay = int(token_ttl), int(result_delay)
        self.max_rows_per_page = int(max_rows_per_page)
        self.calls_per_minute = None if calls_per_minute is None else int(calls_per_minute)
        self.tokens: dict[str, datetime] = {}
        self.tradeids: set[str] = set()
        self.results: dict[str, list[Any]] = {}
        self.calls: list[datetime] = []
        self.store = U8Store(self.clock.now)
        self.universe = universe or build_universe(seed, companies)
        for stream, rows in render(self.universe).items():
            self.store.load(stream, rows)

    def build_app(self) -> ASGIApp:
        """The relay (faults are added by ``app()``)."""
        return U8App(self)

    def rate_limit_response(self, retry_after: float | None) -> tuple[int, dict[str, str], bytes]:
        """No U8 limit is documented: the relay is assumed to throttle as a gateway does (429)."""
        headers = {"content-type": "application/json;charset=UTF-8"}
        if retry_after is not None:
            headers["Retry-After"] = str(int(retry_after))
        return 429, headers, dumps({"errcode": "429", "errmsg": "调用频率超过限制"})

    def error_response(self, status: int) -> tuple[int, dict[str, str], bytes]:
        """An injected relay failure (the on-premise agent unreachable)."""
        return (
            status,
            {"content-type": "application/json"},
            dumps({"errcode": "50001", "errmsg": "EAI 服务不可用"}),
        )

    def over_budget(self) -> bool:
        """Calls in the last minute beyond ``calls_per_minute`` (lock held)."""
        if self.calls_per_minute is None:
            return False
        now = self.clock.now()
        self.calls = [t for t in self.calls if t > now - timedelta(minutes=1)]
        if len(self.calls) >= self.calls_per_minute:
            return True
        self.calls.append(now)
        return False

    # -- control hooks -------------------------------------------------------------------
    def credentials(self, base_url: str) -> dict[str, Any]:
        """What ``synchub sandbox yonyou-u8 --json`` prints."""
        return {
            "base_url": base_url,
            "from_account": self.from_account,
            "to_account": self.to_account,
            "app_key": self.app_key,
            "app_secret": self.app_secret,
        }

    def connector_config(self, base_url: str) -> dict[str, Any]:
        """A connector config for this sandbox (short polls, quick backoff)."""
        return {
            "base_url": base_url,
            "from_account": self.from_account,
            "to_account": self.to_account,
            "app_key": self.app_key,
            "app_secret": self.app_secret,
            "poll_interval": 0.01,
            "http": {"max_backoff": 0.05, "max_total_seconds": 30},
        }

    def _today(self) -> Any:
        return self.clock.now().astimezone(CHINA).date()

    def _any_customer(self) -> str:
        if not self.store.records["customers"]:
            self.store.load("customers", render(build_universe(self.seed, 1))["customers"])
        return next(iter(self.store.records["customers"]))

    def reset(self, stream: str, count: int) -> list[str]:
        """Replace ``stream`` with ``count`` generated records; their codes."""
        with self.lock:
            if stream == "customers":
                rows = render(build_universe(self.seed, count))["customers"]
                self.store.load(stream, rows)
            else:
                cust = self._any_customer()
                self.store.records[stream] = {}
                for n in range(count):
                    self.store.add(stream, sample(stream, n, cust, self._today()), None)
            return list(self.store.records[stream])

    def remote_ids(self, stream: str) -> set[str]:
        """Codes of the live records of ``stream``."""
        with self.lock:
            return set(self.store.records[stream])

    def get_record(self, stream: str, remote_id: str) -> dict[str, Any] | None:
        """The record as ``get`` returns it."""
        with self.lock:
            record = self.store.records[stream].get(remote_id)
            return dict(record) if record is not None else None

    def touch(self, stream: str, remote_ids: list[str]) -> None:
        """Edit records as a user would (customers' ``ModifyDate`` moves to ``clock.now()``)."""
        with self.lock:
            stamp = format_stamp(self.clock.now())
            for rid in remote_ids:
                record = self.store.records[stream][rid]
                record[TOUCH_FIELD[stream]] = f"edited {stamp}"
                if stream == "customers":
                    record["ModifyDate"] = stamp

    def delete(self, stream: str, remote_ids: list[str]) -> None:
        """Delete records (U8 OpenAPI has no deleted-records list)."""
        with self.lock:
            for rid in remote_ids:
                self.store.records[stream].pop(rid, None)

    def expire_credentials(self) -> None:
        """Every token becomes invalid (errcode 30001)."""
        with self.lock:
            self.tokens.clear()

    def sample_record(self, stream: str, n: int) -> dict[str, Any]:
        """A valid record to add to ``stream``."""
        with self.lock:
            return sample(stream, n, self._any_customer(), self._today())

    def invalid_record(self, stream: str) -> tuple[dict[str, Any], str]:
        """A record U8 refuses, and a word of the refusal."""
        with self.lock:
            return invalid(stream, self._any_customer(), self._today())


__all__ = ["KEYS", "YonyouU8Sandbox"]
