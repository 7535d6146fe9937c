"""Push one binding: the change log since its push cursor, mapped out, written in batches.

Crash safety: a create is recorded as a write intent (committed) before it is
sent; after a crash, a create with an intent is looked up at the vendor by its
external key first, so it is linked, not made twice. Links, intents, dead letters
and the push cursor are written in one transaction once the vendor answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.sdk import OUTCOME_UNKNOWN, Capability, WriteRequest, WriteResult
from hub.mapping import MappingError
from hub.model import canonical_fields
from hub.sync import crashpoints, repo
from hub.sync.answers import answered_values
from hub.sync.context import Binding, RunContext
from hub.sync.matching import key_value, waiting_twins
from hub.sync.pull_page import PagePull, dead_letter_row, inbound_keys
from hub.sync.values import json_values, stable_hash

PUSH = "push"
CHANGE_BATCH = 1000


@dataclass(slots=True)
class Planned:
    """One write to make: the request and the canonical values (JSON form) it carries."""

    hub_id: str
    request: WriteRequest
    sent: dict[str, Any]
    link: dict[str, Any] | None
    canonical: dict[str, Any] = field(default_factory=dict)
    """The hub's values of the record (model form), for reading a create's answer."""
    found: dict[str, Any] | None = None
    """The record an earlier create made, found by its key after its answer was lost."""


async def push_binding(ctx: RunContext, binding: Binding) -> None:
    """Send every canonical change this binding's remote has not seen yet."""
    ctx.observer.phase_started(binding.key, PUSH)
    counts = ctx.counts_for(binding)
    with ctx.tx.unit() as conn:
        cursor = int(repo.get_cursor(conn, binding.instance, binding.spec.stream, PUSH) or 0)
    while True:
        with ctx.tx.unit() as conn:
            changes = repo.changes_after(conn, binding.entity, cursor, CHANGE_BATCH)
        if not changes:
            break
        hub_ids = list(dict.fromkeys(hub_id for _, hub_id in changes))
        await _push_batch(ctx, binding, hub_ids, last_seq=changes[-1][0])
        cursor = changes[-1][0]
        ctx.observer.progress(binding.key, PUSH, counts)
    ctx.observer.phase_finished(binding.key, PUSH, counts)


async def push_records(ctx: RunContext, binding: Binding, hub_ids: list[str]) -> None:
    """Push these records now, outside the change-log order (dead-letter retries)."""
    await _push_batch(ctx, binding, hub_ids, last_seq=None)


async def _push_batch(
    ctx: RunContext, binding: Binding, hub_ids: list[str], *, last_seq: int | None
) -> None:
    with ctx.tx.unit() as conn:
        planned = _plan(ctx, binding, conn, hub_ids)
        in_doubt = repo.intents(
            conn, binding.instance, binding.entity, [p.hub_id for p in planned if p.link is None]
        )
    await _look_up_in_doubt(binding, planned, in_doubt)
    creates = [p for p in planned if p.request.remote_id is None]
    if ctx.dry_run:
        _record_would(ctx, binding, planned)
        return
    if creates and not binding.stream.can(Capability.IDEMPOTENT_CREATE):
        with ctx.tx.unit() as conn:
            now = ctx.now()
            repo.add_intents(
                conn,
                [
                    {
                        "connector": binding.instance,
                        "stream": binding.spec.stream,
                        "entity": binding.entity,
                        "hub_id": p.hub_id,
                        "run_id": ctx.run_id,
                        "created_at": now,
                    }
                    for p in creates
                ],
            )
    results = await _write(binding, planned)
    with ctx.tx.unit() as conn:
        _record_results(ctx, binding, conn, planned, results)
        if last_seq is not None:
            repo.set_cursor(
                conn, binding.instance, binding.spec.stream, PUSH, last_seq, now=ctx.now()
            )
    crashpoints.reached("checkpoint")


def _plan(ctx: RunContext, binding: Binding, conn: Any, hub_ids: list[str]) -> list[Planned]:
    entity = binding.entity
    rows = repo.rows_by_id(conn, entity, hub_ids)
    links = repo.links_by_hub(conn, binding.instance, entity, hub_ids)
    held = repo.open_conflicts(conn, entity, hub_ids)
    resolve = _prefetch_references(conn, binding, rows)
    fields = canonical_fields(entity)
    outbound = [f.name for f in binding.mapping.outbound_fields]
    always = {f.name for f in binding.mapping.outbound_fields if f.spec.always_send}
    outbound_extra = [c.name for c in binding.mapping.extra if c.out_path is not None]
    counts = ctx.counts_for(binding)
    planned: list[Planned] = []
    in_step: list[str] = []  # the remote already holds what the hub holds
    waiting = waiting_twins(conn, binding) if any(h not in links for h in hub_ids) else set()
    now = ctx.now()
    for hub_id in hub_ids:
        row = rows.get(hub_id)
        link = links.get(hub_id)
        if row is None or (link is not None and link["stream"] != binding.spec.stream):
            continue  # another stream of this connector carries it
        values = {f: row[f] for f in fields}
        extra = row["extra"] or {}
        current = json_values(values) | {f"extra.{k}": v for k, v in json_values(extra).items()}
        keys = outbound + [f"extra.{k}" for k in outbound_extra]
        try:
            if link is None:
                if row["deleted_at"] is not None or not binding.mapping.creates(values):
                    continue
                if _twin_is_waiting(binding, values, waiting):
                    counts.push_deferred += 1
                    continue
                data = binding.mapping.apply_out(values, extra, resolve)
                sent = {k: current.get(k) for k in keys}
                request = WriteRequest(data=data, external_key=hub_id)
            else:
                known = link["values"] or {}
                diff = {k for k in keys if current.get(k) != known.get(k)} - set(
                    held.get(hub_id, {})
                )
                if not diff:
                    counts.push_skipped += 1
                    in_step.append(hub_id)
                    continue
                only = {k for k in diff if not k.startswith("extra.")} | always
                data = binding.mapping.apply_out(
                    values,
                    {
                        k.removeprefix("extra."): extra.get(k.removeprefix("extra."))
                        for k in diff
                        if k.startswith("extra.")
                    },
                    resolve,
                    only=only,
                )
                sent = {k: current.get(k) for k in diff}
                request = WriteRequest(data=data, external_key=hub_id, remote_id=link["remote_id"])
        except MappingError as exc:
            counts.dead_lettered += 1
            repo.add_dead_letter(
                conn,
                dead_letter_row(
                    ctx,
                    binding,
                    "out",
                    "map",
                    str(exc),
                    exc.field,
                    remote_id=link["remote_id"] if link else None,
                    hub_id=hub_id,
                    payload=current,
                    now=now,
                ),
            )
            continue
        planned.append(Planned(hub_id, request, sent, link, values))
    for removed in repo.resolve_dead_letters(
        conn, binding.instance, binding.spec.stream, "out", hub_ids=in_step
    ):
        repo.audit(
            conn,
            actor="sync",
            action="dlq.resolved",
            target=f"{binding.key}:{removed['hub_id']}",
            details={
                "attempts": removed["attempts"],
                "run_id": ctx.run_id,
                "reason": "remote in step",
            },
            at=now,
        )
    return planned


def _twin_is_waiting(
    binding: Binding, values: dict[str, Any], waiting: set[tuple[str, Any]]
) -> bool:
    """Whether the remote's own copy of this record sits in the dead-letter queue."""
    return any(
        (key, key_value(binding.entity, key, values.get(key))) in waiting
        for key in binding.mapping.spec.match
    )


def _prefetch_references(conn: Any, binding: Binding, rows: dict[str, dict[str, Any]]) -> Any:
    found: dict[tuple[str, str, str], str] = {}
    for compiled in binding.mapping.outbound_fields:
        spec = compiled.spec
        if spec.ref is None:
            continue
        ids = sorted({str(row[compiled.name]) for row in rows.values() if row.get(compiled.name)})
        if ids:
            resolved = repo.resolve_hub(conn, binding.instance, spec.ref, spec.ref_key, ids)
            found.update(
                {(spec.ref, hub, spec.ref_key): remote for hub, remote in resolved.items()}
            )
    return lambda entity, identifier, key: found.get((entity, identifier, key))


async def _look_up_in_doubt(binding: Binding, planned: list[Planned], in_doubt: set[str]) -> None:
    """Creates whose earlier attempt's outcome is unknown: find them at the vendor first."""
    doubtful = [p for p in planned if p.request.remote_id is None and p.hub_id in in_doubt]
    if not doubtful or binding.stream.can(Capability.IDEMPOTENT_CREATE):
        return
    found = await binding.connector.lookup(binding.spec.stream, [p.hub_id for p in doubtful])
    pk = binding.stream.primary_key
    for item in doubtful:
        record = found.get(item.hub_id)
        if record is not None:
            item.found = record
            item.request = WriteRequest(
                data=item.request.data, external_key=item.hub_id, remote_id=str(record[pk])
            )


async def _write(binding: Binding, planned: list[Planned]) -> list[WriteResult]:
    results: list[WriteResult] = []
    size = max(1, binding.stream.write_batch_size)
    for start in range(0, len(planned), size):
        chunk = [p.request for p in planned[start : start + size]]
        answer = await binding.connector.write(binding.spec.stream, chunk)
        crashpoints.reached("write")
        if len(answer) != len(chunk):
            raise RuntimeError(
                f"{binding.key}: connector answered {len(answer)} results for {len(chunk)} records"
            )
        results.extend(answer)
    return results


def _record_results(
    ctx: RunContext, binding: Binding, conn: Any, planned: list[Planned], results: list[WriteResult]
) -> None:
    counts = ctx.counts_for(binding)
    now = ctx.now()
    keys = inbound_keys(binding)
    new_links: list[dict[str, Any]] = []
    settled: list[str] = []
    succeeded: list[str] = []
    for item, result in zip(planned, results, strict=True):
        if not result.ok:
            counts.push_failed += 1
            counts.dead_lettered += 1
            repo.add_dead_letter(
                conn,
                dead_letter_row(
                    ctx,
                    binding,
                    "out",
                    "write",
                    result.error or "refused by the vendor",
                    result.field,
                    remote_id=item.request.remote_id,
                    hub_id=item.hub_id,
                    payload={
                        "data": json_values(item.request.data),
                        "vendor_code": result.vendor_code,
                    },
                    now=now,
                ),
            )
            if item.request.remote_id is None and result.vendor_code != OUTCOME_UNKNOWN:
                settled.append(item.hub_id)  # the vendor refused the create: nothing was made
            continue
        remote_id = result.remote_id or item.request.remote_id
        if remote_id is None:
            raise RuntimeError(
                f"{binding.key}: write of {item.hub_id} succeeded without a remote id"
            )
        values = {**((item.link or {}).get("values") or {}), **item.sent}
        answer = result.record or item.found
        created = item.request.remote_id is None or item.found is not None
        if created and answer:  # a create's defaults are no edits (also one found after a crash)
            answered = answered_values(binding, answer, item.canonical, item.sent)
            values = {**answered, **values}
        common = {
            "values": values,
            "hash": stable_hash({k: values.get(k) for k in keys}),
            "last_run_id": ctx.run_id,
            "updated_at": now,
        }
        if result.record and binding.stream.alternate_key:
            alternate = result.record.get(binding.stream.alternate_key)
            if alternate not in (None, ""):
                common["remote_key"] = str(alternate)
        if item.link is None:
            new_links.append(
                {
                    "entity": binding.entity,
                    "hub_id": item.hub_id,
                    "connector": binding.instance,
                    "stream": binding.spec.stream,
                    "remote_id": str(remote_id),
                    "raw": None,
                    "remote_version": None,
                    "remote_key": common.pop("remote_key", None),
                    **common,
                }
            )
            counts.pushed_created += 1 if item.request.remote_id is None else 0
            counts.pushed_updated += 1 if item.request.remote_id is not None else 0
        else:
            repo.update_links(conn, [{"id": item.link["id"], **common}])
            counts.pushed_updated += 1
        settled.append(item.hub_id)
        succeeded.append(item.hub_id)
    repo.insert_links(conn, new_links)
    held = repo.settle_match_conflicts(
        conn,
        binding.instance,
        binding.entity,
        {link["remote_id"]: link["hub_id"] for link in new_links},
        run_id=ctx.run_id,
        now=now,
    )
    if held and binding.spec.pulls:  # read while unlinked: its own fields still to take
        PagePull(ctx, binding, conn).run(held)
    repo.clear_intents(conn, binding.instance, binding.entity, settled)
    for removed in repo.resolve_dead_letters(
        conn, binding.instance, binding.spec.stream, "out", hub_ids=succeeded
    ):
        repo.audit(
            conn,
            actor="sync",
            action="dlq.resolved",
            target=f"{binding.key}:{removed['hub_id']}",
            details={"attempts": removed["attempts"], "run_id": ctx.run_id},
            at=now,
        )


def _record_would(ctx: RunContext, binding: Binding, planned: list[Planned]) -> None:
    counts = ctx.counts_for(binding)
    for item in planned:
        action = "create" if item.request.remote_id is None else "update"
        if action == "create":
            counts.pushed_created += 1
        else:
            counts.pushed_updated += 1
        ctx.would.append(
            {
                "binding": binding.key,
                "action": action,
                "hub_id": item.hub_id,
                "remote_id": item.request.remote_id,
                "fields": sorted(item.sent),
            }
        )
