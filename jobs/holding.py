"""Holding a lease while async work runs: take it, renew it in the background, give it back.

The heartbeat renews every third of the lease period, so two missed beats still
leave the lease ours. If a renewal is refused (the process stalled past the
expiry and someone may have taken over), or the database cannot be reached
until the lease has lapsed, the work is cancelled and ``LeaseLost`` is raised in
its place: carrying on would risk two holders at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from jobs.leases import Lease, LeaseLost, LeaseManager

log = logging.getLogger(__name__)


@asynccontextmanager
async def hold(manager: LeaseManager, name: str, owner: str, ttl: float) -> AsyncIterator[Lease]:
    """Hold lease ``name`` for the duration of the block; ``LeaseHeld`` if it is taken."""
    lease = await asyncio.to_thread(manager.acquire, name, owner, ttl)
    work = asyncio.current_task()
    assert work is not None, "hold() must run inside a task"
    lost = asyncio.Event()
    current = [lease]

    async def beat() -> None:
        while True:
            await asyncio.sleep(ttl / 3)
            try:
                renewed = await asyncio.to_thread(manager.renew, current[0])
            except Exception:
                # the database is unreachable: carry on while the lease is still ours
                if manager.clock() < current[0].expires_at:
                    log.warning(
                        "lease %s of %s: renewal failed; retrying", name, owner, exc_info=True
                    )
                    continue
                renewed = None
            if renewed is None:
                log.error("lease %s of %s was lost; stopping its work", name, owner)
                lost.set()
                work.cancel()
                return
            current[0] = renewed

    heartbeat = asyncio.create_task(beat(), name=f"heartbeat {name}")
    try:
        yield lease
    except asyncio.CancelledError:
        if lost.is_set():
            work.uncancel()
            raise LeaseLost(current[0]) from None
        raise
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat
        if not lost.is_set():
            await asyncio.to_thread(manager.release, current[0])
