"""Pull one binding: pages since its cursor, each stored in one transaction with the cursor.

A crash loses at most the page in flight; reading it again is harmless because
links and hashes recognise what is already stored.
"""

from __future__ import annotations

from contextlib import aclosing
from datetime import datetime, timedelta
from typing import Any

from connectors.sdk import Capability
from hub.sync import crashpoints, repo
from hub.sync.context import Binding, RunContext
from hub.sync.deletes import apply_deletions
from hub.sync.pull_page import PagePull
from hub.sync.readahead import read_ahead
from hub.sync.seen import SeenIds

PULL = "pull"
DELETED = "deleted"
DELETED_CHECKED = "del_chk"


async def pull_binding(ctx: RunContext, binding: Binding) -> None:
    """Read, map and store everything new in one binding; then apply known deletions."""
    ctx.observer.phase_started(binding.key, PULL)
    counts = ctx.counts_for(binding)
    with ctx.tx.unit() as conn:
        cursor = (
            None if ctx.full else repo.get_cursor(conn, binding.instance, binding.spec.stream, PULL)
        )
    with SeenIds() as seen:  # only full reads sweep, so only they note what they saw
        complete = await _read(ctx, binding, cursor, seen if ctx.full else None)
        if binding.stream.can(Capability.READ_DELETED) and _tombstones_due(ctx, binding):
            await _read_tombstones(ctx, binding)
        if ctx.full and complete:
            _sweep(ctx, binding, seen)
    ctx.observer.phase_finished(binding.key, PULL, counts)


async def _read(ctx: RunContext, binding: Binding, cursor: Any, seen: SeenIds | None) -> bool:
    """Store every page after ``cursor``; whether the read saw everything (``Page.complete``)."""
    counts = ctx.counts_for(binding)
    complete = False
    pages = read_ahead(binding.connector.read(binding.spec.stream, since=cursor))
    async with aclosing(pages):  # the next page is being fetched while this one is stored
        async for page in pages:
            crashpoints.reached("read")
            with ctx.tx.unit() as conn:
                ids = PagePull(ctx, binding, conn).run(page.records)
                if seen is not None:
                    seen.update(ids)
                if page.cursor is not None:
                    repo.set_cursor(
                        conn,
                        binding.instance,
                        binding.spec.stream,
                        PULL,
                        page.cursor,
                        now=ctx.now(),
                    )
            crashpoints.reached("checkpoint")
            complete = page.complete
            ctx.observer.progress(binding.key, PULL, counts)
    return complete


def _tombstones_due(ctx: RunContext, binding: Binding) -> bool:
    """Deleted-record reads cost a request per stream; do them on full runs or every interval."""
    if ctx.full or ctx.pipeline.tombstone_interval_minutes == 0:
        return True
    with ctx.tx.unit() as conn:
        last = repo.get_cursor(conn, binding.instance, binding.spec.stream, DELETED_CHECKED)
    if last is None:
        return True
    elapsed = ctx.now() - datetime.fromisoformat(last)
    return elapsed >= timedelta(minutes=ctx.pipeline.tombstone_interval_minutes)


async def _read_tombstones(ctx: RunContext, binding: Binding) -> None:
    with ctx.tx.unit() as conn:
        cursor = repo.get_cursor(conn, binding.instance, binding.spec.stream, DELETED)
    pk = binding.stream.primary_key
    async for page in binding.connector.read_deleted(binding.spec.stream, since=cursor):
        with ctx.tx.unit() as conn:
            apply_deletions(
                conn, ctx, binding, [str(r[pk]) for r in page.records if r.get(pk) is not None]
            )
            if page.cursor is not None:
                repo.set_cursor(
                    conn, binding.instance, binding.spec.stream, DELETED, page.cursor, now=ctx.now()
                )
    with ctx.tx.unit() as conn:
        checked = ctx.started_at.isoformat()
        repo.set_cursor(
            conn, binding.instance, binding.spec.stream, DELETED_CHECKED, checked, now=ctx.now()
        )


def _sweep(ctx: RunContext, binding: Binding, seen: SeenIds) -> None:
    """After a complete full read: linked records the vendor no longer has were deleted."""
    with ctx.tx.unit() as conn:
        gone: list[str] = []
        links = repo.link_remote_ids(conn, binding.instance, binding.entity, binding.spec.stream)
        for batch in links:
            gone.extend(seen.missing(batch))
        if gone:
            apply_deletions(conn, ctx, binding, gone)
