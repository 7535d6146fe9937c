"""The budget a run installs in the SDK: count requests, slow down, stop before the end.

Counting every request in the database would add a write per vendor call, so
the gate counts in memory, judges with the last stored count plus its own
unflushed requests, and flushes every ``flush_every`` requests (and when the
run ends); each flush also reads back what other workers spent. When the
budget is nearly spent the gate raises ``BudgetExhausted`` before the request
goes out: the run stops with the budget's reason, and scheduled runs of the
pipeline wait until the budget renews.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from connectors.sdk.budget import BudgetExhausted, VendorQuota
from hub.budgets.ledger import BudgetLedger, BudgetState, delay_for


class BudgetGate:
    """``connectors.sdk.budget.RequestBudget`` over a ``BudgetLedger``."""

    def __init__(
        self,
        ledger: BudgetLedger,
        *,
        flush_every: int = 20,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.ledger = ledger
        self.flush_every = flush_every
        self.sleep = sleep
        self._pending: Counter[str] = Counter()
        self._quota: dict[str, VendorQuota] = {}
        self._rows: dict[str, dict[str, Any] | None] = {}
        self.waited = 0.0
        self.stopped: BudgetState | None = None
        """The budget that stopped the run, if one did."""

    async def before_request(self, connector: str) -> None:
        """Wait when slowed down, refuse when the budget is (nearly) spent, count the request."""
        state = self.state(connector)
        if state is None:
            return
        if state.state == "paused":
            self.flush()
            self.stopped = state
            raise BudgetExhausted(state.reason, connector=connector)
        if state.state == "slow":
            delay = delay_for(self.ledger.settings.budgets[connector], state)
            self.waited += delay
            await self.sleep(delay)
        self._pending[connector] += 1
        if self._pending[connector] >= self.flush_every:
            self.flush()

    def after_response(self, connector: str, quota: VendorQuota | None) -> None:
        """Store the vendor's report of what is left (remaining of limit) at once."""
        if quota is None or quota.remaining is None or not quota.limit:
            return
        if connector in self.ledger.settings.budgets:
            self._quota[connector] = quota
            self.flush()

    def state(self, connector: str) -> BudgetState | None:
        """The budget of ``connector`` counting this run's unflushed requests."""
        if connector not in self.ledger.settings.budgets:
            return None
        if connector not in self._rows:
            self._rows[connector] = self.ledger.snapshot(connector)
        return self.ledger.judge(connector, self._rows[connector], extra=self._pending[connector])

    def flush(self) -> None:
        """Store pending counts and vendor reports; re-read what every worker spent."""
        for connector in set(self._pending) | set(self._quota):
            self.ledger.add(
                connector, self._pending.pop(connector, 0), self._quota.pop(connector, None)
            )
            self._rows[connector] = self.ledger.snapshot(connector)
