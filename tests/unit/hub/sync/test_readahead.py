"""read_ahead: the next page is on its way while the current one is stored, nothing else changes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing

import pytest

from hub.sync.readahead import read_ahead


class Source:
    """An async page source that records when each fetch started and finished."""

    def __init__(self, pages: int, *, fail_at: int | None = None) -> None:
        self.pages = pages
        self.fail_at = fail_at
        self.events: list[str] = []
        self.closed = False

    async def read(self) -> AsyncIterator[int]:
        try:
            for n in range(self.pages):
                self.events.append(f"fetch {n}")
                await asyncio.sleep(0)  # the request is out; the answer comes later
                if n == self.fail_at:
                    raise ConnectionError(f"page {n} lost")
                yield n
        finally:
            self.closed = True


async def test_yields_every_page_in_order() -> None:
    source = Source(5)
    assert [n async for n in read_ahead(source.read())] == [0, 1, 2, 3, 4]


async def test_next_fetch_starts_before_the_current_page_is_stored() -> None:
    source = Source(3)
    async with aclosing(read_ahead(source.read())) as pages:
        async for n in pages:
            source.events.append(f"store {n}")  # storing never yields to the loop
    assert source.events == ["fetch 0", "fetch 1", "store 0", "fetch 2", "store 1", "store 2"]


async def test_a_failed_fetch_surfaces_after_the_page_before_it_is_stored() -> None:
    source = Source(4, fail_at=2)
    stored: list[int] = []

    async def store_all() -> None:
        async for n in read_ahead(source.read()):
            stored.append(n)

    with pytest.raises(ConnectionError, match="page 2 lost"):
        await store_all()
    assert stored == [0, 1]


async def test_stopping_early_closes_the_source() -> None:
    source = Source(10)
    async with aclosing(read_ahead(source.read())) as pages:
        async for n in pages:
            if n == 1:
                break
    assert source.closed
    assert "fetch 3" not in source.events
