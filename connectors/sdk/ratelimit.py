"""Client-side pacing per connector instance: a token bucket and a concurrency cap.

The vendor's quota, not the hub, should be what binds; pacing below it avoids
429 storms that cost more than they save. The clock and sleep are injectable so
tests can drive time without waiting for it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """A token bucket (``rate`` per second, ``burst`` deep) plus a concurrency cap.

    ``rate=None`` disables pacing but keeps the concurrency cap, which every
    vendor has even when it documents no request rate.
    """

    def __init__(
        self,
        rate: float | None = None,
        *,
        burst: int | None = None,
        max_concurrency: int = 8,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive or None")
        self.rate = rate
        self.burst = float(burst if burst is not None else max(1, round(rate or 1)))
        self._tokens = self.burst
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(max_concurrency)
        self.max_concurrency = max_concurrency

    async def _take_token(self) -> None:
        if self.rate is None:
            return
        async with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await self._sleep((1 - self._tokens) / self.rate)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one concurrency slot and one token for the duration of a request."""
        async with self._slots:
            await self._take_token()
            yield
