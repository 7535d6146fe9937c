"""Budget rules: when runs slow down, when they pause, until when, and the SDK's quota reading."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pydantic import ValidationError

from connectors.sdk import HttpClient
from connectors.sdk.budget import VendorQuota, budget_scope, vendor_quota
from hub.budgets.ledger import delay_for, evaluate, window_start
from hub.budgets.settings import BudgetSettings

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)  # 01:30 on the 5th in Shanghai
BUDGET = BudgetSettings(daily_limit=1000, slow_at=0.8, reserve=0.05, max_delay_seconds=4)


def test_the_budget_day_starts_at_midnight_in_the_business_zone() -> None:
    assert window_start(NOW, SHANGHAI) == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("used", "state"), [(0, "ok"), (799, "ok"), (800, "slow"), (949, "slow"), (950, "paused")]
)
def test_states_by_share_used(used: int, state: str) -> None:
    assert evaluate("crm", BUDGET, used, None, NOW, SHANGHAI).state == state


def test_a_paused_budget_says_until_when_and_why() -> None:
    paused = evaluate("crm", BUDGET, 990, None, NOW, SHANGHAI)
    assert paused.reason == (
        "crm: 990 of 1000 requests used; paused until 2026-12-06 00:00 Asia/Shanghai "
        "(5% kept in reserve)"
    )
    assert paused.resets_at == datetime(2026, 12, 5, 16, 0, tzinfo=UTC)
    assert "slowed down (up to 4 s" in evaluate("crm", BUDGET, 900, None, NOW, SHANGHAI).reason


def test_the_vendors_own_report_decides_when_it_is_tighter() -> None:
    reset = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
    row: dict[str, Any] = {
        "vendor_remaining": 20,
        "vendor_limit": 1000,
        "vendor_reset_at": reset,
        "vendor_seen_at": NOW,
    }
    state = evaluate("pm", BUDGET, 10, row, NOW, SHANGHAI)
    assert (state.state, state.used, state.resets_at) == ("paused", 980, reset)
    stale = {**row, "vendor_reset_at": datetime(2026, 12, 4, 17, 0, tzinfo=UTC)}
    assert evaluate("pm", BUDGET, 10, stale, NOW, SHANGHAI).state == "ok"


def test_the_delay_ramps_from_nothing_to_the_maximum() -> None:
    def delay(used: int) -> float:
        return delay_for(BUDGET, evaluate("crm", BUDGET, used, None, NOW, SHANGHAI))

    assert delay(500) == 0
    assert delay(800) == 0
    assert delay(875) == pytest.approx(2.0)
    assert delay(949) == pytest.approx(4 * 149 / 150)


def test_settings_must_slow_down_before_pausing() -> None:
    with pytest.raises(ValidationError, match="slow_at must be below"):
        BudgetSettings(daily_limit=10, slow_at=0.9, reserve=0.2)


def test_vendor_quota_headers() -> None:
    jira = vendor_quota(
        {
            "X-RateLimit-Remaining": "12",
            "X-RateLimit-Limit": "350",
            "X-RateLimit-Reset": "2026-12-04T18:00Z",
        }
    )
    assert jira == VendorQuota(12, 350, datetime(2026, 12, 4, 18, 0, tzinfo=UTC), False)
    epoch = vendor_quota({"x-ratelimit-remaining": "1", "x-ratelimit-reset": "1796407200"})
    assert epoch is not None
    assert epoch.resets_at == datetime.fromtimestamp(1796407200, UTC)
    assert vendor_quota({"X-RateLimit-NearLimit": "true"}) == VendorQuota(near_limit=True)
    assert vendor_quota({"Content-Type": "application/json"}) is None


class _Recorder:
    def __init__(self) -> None:
        self.before: list[str] = []
        self.after: list[tuple[str, VendorQuota | None]] = []

    async def before_request(self, connector: str) -> None:
        self.before.append(connector)

    def after_response(self, connector: str, quota: VendorQuota | None) -> None:
        self.after.append((connector, quota))


async def test_every_sdk_request_passes_the_installed_budget() -> None:
    def vendor(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={}, headers={"X-RateLimit-Remaining": "7", "X-RateLimit-Limit": "10"}
        )

    client = HttpClient(connector="pm", transport=httpx.MockTransport(vendor), base_url="http://v")
    recorder = _Recorder()
    await client.request("GET", "/a")  # no budget installed: nothing recorded
    with budget_scope(recorder):
        await client.request("GET", "/b")
        await client.request("GET", "/c")
    await client.aclose()
    assert recorder.before == ["pm", "pm"]
    assert recorder.after == [("pm", VendorQuota(7, 10))] * 2
