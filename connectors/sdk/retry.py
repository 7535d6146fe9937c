"""The one retry policy every connector uses: bounded, jittered, Retry-After aware.

Only ``TransientError`` (and its ``RateLimited`` / ``MalformedResponse``
children) is retried; anything else is a verdict, not bad luck, and is raised at
once. A vendor's Retry-After hint replaces the backoff for that wait (capped, so
a hostile header cannot park a run for a day), and the total time spent waiting
is bounded as well as the number of attempts.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
)

from connectors.sdk.errors import RateLimited, TransientError

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: attempts, backoff shape and the caps on waiting."""

    max_attempts: int = 6
    initial_backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    max_total_seconds: float = 300.0
    jitter: float = 0.5

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Exponential backoff for ``attempt`` (1-based) with proportional jitter."""
        base = min(self.max_backoff, self.initial_backoff * 2.0 ** (attempt - 1))
        spread = base * self.jitter
        draw: float = (rng or random).random()
        return max(0.0, base - spread + draw * 2 * spread)

    def wait_for(self, state: RetryCallState) -> float:
        """Seconds to wait before the next attempt, honouring Retry-After."""
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return min(max(error.retry_after, 0.0), self.max_retry_after)
        return self.backoff(state.attempt_number)

    async def call(self, fn: Callable[[], Awaitable[T]], *, sleep: Sleep = asyncio.sleep) -> T:
        """Run ``fn`` until it succeeds, fails for good, or the policy is exhausted.

        The last ``TransientError`` is re-raised as it was, so the caller sees the
        vendor's own reason for the final failure.
        """
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(self.max_attempts) | stop_after_delay(self.max_total_seconds),
            wait=self.wait_for,
            sleep=sleep,
            reraise=True,
            before_sleep=_log_retry,
        )
        return await retrying(fn)


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    log.warning("retrying after %s (attempt %d, waiting %.2fs)", error, state.attempt_number, wait)
