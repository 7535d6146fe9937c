"""A hook for request budgets: the hub counts, paces and stops requests per connector instance.

Vendors cap requests per day or hour (Zoho counts credits per rolling day, Jira
and YonBIP limit rates). The SDK does not know the hub's budgets; it offers a
seam instead. Whoever runs connectors sets ``current_budget`` for the duration
of a run (``budget_scope``), and every ``HttpClient`` request then awaits
``before_request`` (which may wait, to slow down, or raise ``BudgetExhausted``,
to stop before the allowance is gone) and reports what the vendor said about
its quota to ``after_response``.

A context variable, not a global: runs in different threads or tasks each see
their own budget, and code that sets none pays nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from connectors.sdk.errors import ConnectorError


class BudgetExhausted(ConnectorError):
    """The instance's request budget is (nearly) spent: stop now, resume when it renews."""


@dataclass(frozen=True, slots=True)
class VendorQuota:
    """What a response's headers say about the caller's remaining allowance."""

    remaining: int | None = None
    limit: int | None = None
    resets_at: datetime | None = None
    near_limit: bool = False


class RequestBudget(Protocol):
    """The budget a run installs; see the module docstring."""

    async def before_request(self, connector: str) -> None:
        """Called before each request of ``connector``; may wait or raise ``BudgetExhausted``."""

    def after_response(self, connector: str, quota: VendorQuota | None) -> None:
        """Called after each response with the vendor's quota report, if it gave one."""


current_budget: ContextVar[RequestBudget | None] = ContextVar("synchub_budget", default=None)


@contextmanager
def budget_scope(budget: RequestBudget | None) -> Iterator[None]:
    """Install ``budget`` for the requests made inside the block (and tasks it starts)."""
    token = current_budget.set(budget)
    try:
        yield
    finally:
        current_budget.reset(token)


def vendor_quota(headers: Mapping[str, str]) -> VendorQuota | None:
    """The quota report in common rate-limit headers, or ``None`` when there is none.

    Reads ``X-RateLimit-Remaining``, ``X-RateLimit-Limit``, ``X-RateLimit-Reset``
    (epoch seconds or ISO 8601, as Jira sends it) and ``X-RateLimit-NearLimit``.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    remaining = _int(lowered.get("x-ratelimit-remaining"))
    limit = _int(lowered.get("x-ratelimit-limit"))
    near = lowered.get("x-ratelimit-nearlimit", "").strip().lower() == "true"
    resets = _when(lowered.get("x-ratelimit-reset"))
    if remaining is None and limit is None and not near:
        return None
    return VendorQuota(remaining, limit, resets, near)


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        # epoch seconds; small numbers are "seconds from now" in some APIs, not a time
        return datetime.fromtimestamp(seconds, UTC) if seconds > 10**9 else None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
