"""Zoho's API limits: credits over a rolling 24 hours and concurrent calls per org.

Both are off unless a sandbox is built with them. Over either limit the answer is
HTTP 429 ``TOO_MANY_REQUESTS``; the v8 specification's sample of that body
carries ``details.retry_after`` in seconds, which the sandbox fills in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

WINDOW = timedelta(hours=24)


def too_many(message: str, retry_after: float | None) -> dict[str, Any]:
    """The 429 body."""
    details: dict[str, Any] = {}
    if retry_after is not None:
        details["retry_after"] = int(retry_after)
    return {"code": "TOO_MANY_REQUESTS", "details": details, "message": message, "status": "error"}


class Meter:
    """Credits spent in the window and calls in flight; see the module docstring."""

    def __init__(
        self,
        *,
        credits_per_day: int | None,
        max_concurrency: int | None,
        now: Callable[[], datetime],
    ) -> None:
        self.credits_per_day = credits_per_day
        self.max_concurrency = max_concurrency
        self._now = now
        self.spent: deque[tuple[datetime, int]] = deque()
        self.in_use = 0

    def cost(self, method: str, path: str) -> int:
        """Credits a call costs: one, the documented floor (per-record pricing is UNCERTAIN)."""
        return 1

    def remaining(self) -> int | None:
        """Credits left in the rolling window (``None``: unlimited)."""
        if self.credits_per_day is None:
            return None
        horizon = self._now() - WINDOW
        while self.spent and self.spent[0][0] <= horizon:
            self.spent.popleft()
        return self.credits_per_day - sum(c for _, c in self.spent)

    def charge(self, method: str, path: str) -> dict[str, Any] | None:
        """Spend the call's credits, or the 429 body when the window is exhausted."""
        left = self.remaining()
        if left is None:
            return None
        cost = self.cost(method, path)
        if left < cost:
            oldest = self.spent[0][0] if self.spent else self._now()
            wait = max(1.0, (oldest + WINDOW - self._now()).total_seconds())
            return too_many("You have reached the maximum API credits for the day", wait)
        self.spent.append((self._now(), cost))
        return None

    @asynccontextmanager
    async def in_flight(self) -> AsyncIterator[dict[str, Any] | None]:
        """Hold a concurrency slot; yields the 429 body instead when none is free."""
        if self.max_concurrency is not None and self.in_use >= self.max_concurrency:
            yield too_many("Concurrency limit exceeded", 1)
            return
        self.in_use += 1
        try:
            yield None
        finally:
            self.in_use -= 1
