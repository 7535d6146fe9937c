"""Held conflicts: list them and settle them.

A field conflict is settled by choosing a side (or typing a value): the canonical
record takes it (validated like any other write, with a change-log row so the
next run pushes it everywhere it differs) and the link of the side that already
holds it is told so, so nothing is written back to it. A match conflict is
settled by naming the twin (or declaring the record new); the stored remote
record is then applied through the normal pull path.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update

from hub.model import CanonicalValidationError, canonical_fields, validate
from hub.settings import Settings
from hub.sync import repo
from hub.sync.names import normalise_name
from hub.sync.pull_page import PagePull
from hub.sync.runner import PipelineError, close_run, open_run
from hub.sync.values import json_values, to_json_value

CONFLICT = repo.CONFLICT


class ResolutionError(ValueError):
    """The resolution asked for cannot be applied (unknown side, invalid value, closed conflict)."""


def list_conflicts(
    engine: Engine, *, status: str = "open", limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """Conflicts, oldest first (the order they should be worked through)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(CONFLICT)
            .where(CONFLICT.c.status == status)
            .order_by(CONFLICT.c.id)
            .limit(limit)
            .offset(offset)
        ).mappings()
        return [dict(r) for r in rows]


def get_conflict(engine: Engine, conflict_id: int) -> dict[str, Any] | None:
    """One conflict."""
    with engine.connect() as conn:
        row = conn.execute(select(CONFLICT).where(CONFLICT.c.id == conflict_id)).mappings().first()
        return dict(row) if row else None


def resolve_field(
    engine: Engine, conflict_id: int, *, use: str | None = None, value: Any = None, actor: str
) -> Any:
    """Settle a field conflict with side ``use`` (``hub`` or a connector instance) or ``value``."""
    conflict = _open(engine, conflict_id, "field")
    values = conflict["values"]
    if use is not None:
        if use not in values or use == "base":
            sides = ", ".join(k for k in values if k != "base")
            raise ResolutionError(
                f"conflict {conflict_id} has no side {use!r}; choose one of: {sides}"
            )
        chosen = values[use]
    else:
        chosen = value
    entity, hub_id, field = conflict["entity"], conflict["hub_id"], conflict["field"]
    now = datetime.now(UTC)
    with engine.begin() as conn:
        row = repo.rows_by_id(conn, entity, [hub_id])[hub_id]
        if field.startswith("extra."):
            update_values: dict[str, Any] = {
                "extra": {**(row["extra"] or {}), field.removeprefix("extra."): chosen}
            }
        else:
            try:
                model = validate(
                    entity, {**{f: row[f] for f in canonical_fields(entity)}, field: chosen}
                )
            except CanonicalValidationError as exc:
                raise ResolutionError(str(exc)) from None
            update_values = {field: model.model_dump()[field]}
            if entity == "customer" and field == "name":
                update_values["name_key"] = normalise_name(update_values["name"])
        provenance = {**(row["provenance"] or {}), field: [f"user:{actor}", None]}
        repo.update_row(
            conn,
            entity,
            hub_id,
            {
                **update_values,
                "version": row["version"] + 1,
                "updated_at": now,
                "provenance": provenance,
            },
        )
        repo.insert_changes(
            conn,
            [
                {
                    "entity": entity,
                    "hub_id": hub_id,
                    "version": row["version"] + 1,
                    "fields": [field],
                    "source": f"user:{actor}",
                    "run_id": None,
                    "at": now,
                }
            ],
        )
        chosen_json = to_json_value(chosen)
        for side, side_value in values.items():
            if side in ("hub", "base") or side_value != chosen_json:
                continue
            link = repo.links_by_hub(conn, side, entity, [hub_id]).get(hub_id)
            if link is not None:  # this system already holds the chosen value: nothing to send it
                repo.update_links(
                    conn,
                    [{"id": link["id"], "values": {**(link["values"] or {}), field: chosen_json}}],
                )
        _close(conn, conflict_id, {"use": use, "value": chosen_json}, actor, now)
    return chosen


async def resolve_match(
    settings: Settings,
    engine: Engine,
    conflict_id: int,
    *,
    link_to: str | None = None,
    new: bool = False,
    actor: str,
) -> str:
    """Settle an ambiguous match: link the remote record to ``link_to`` or make it a new record."""
    if (link_to is None) == (not new):
        raise ResolutionError("give exactly one of: the hub id to link to, or 'new'")
    conflict = _open(engine, conflict_id, "match")
    entity, connector, remote_id = conflict["entity"], conflict["connector"], conflict["remote_id"]
    stream = conflict["values"].get("stream")
    pipeline = next(
        (
            name
            for name, p in settings.pipelines.items()
            if any(b.connector == connector and b.stream == stream for b in p.streams)
        ),
        None,
    )
    if pipeline is None:
        raise ResolutionError(f"no configured pipeline reads {connector}.{stream}")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        if link_to is not None:
            if link_to not in repo.rows_by_id(conn, entity, [link_to]):
                raise ResolutionError(f"no {entity} with hub id {link_to}")
            if repo.links_by_hub(conn, connector, entity, [link_to]):
                raise ResolutionError(
                    f"{entity} {link_to} is already linked to another record of {connector}"
                )
            hub_id = link_to
        else:
            hub_id = _insert_new(conn, entity, conflict["values"]["record"], connector, now)
        repo.insert_links(
            conn,
            [
                {
                    "entity": entity,
                    "hub_id": hub_id,
                    "connector": connector,
                    "stream": stream,
                    "remote_id": remote_id,
                    "values": None,
                    "hash": None,
                    "raw": None,
                    "updated_at": now,
                }
            ],
        )
    ctx = open_run(settings, engine, pipeline, trigger="conflict", holder=actor)
    error = None
    try:
        binding = next(
            b for b in ctx.bindings if b.instance == connector and b.spec.stream == stream
        )
        with ctx.tx.unit() as conn:
            PagePull(ctx, binding, conn).run([conflict["values"]["raw"]])
    except PipelineError:
        raise
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    await close_run(ctx, engine, error)
    with engine.begin() as conn:
        _close(conn, conflict_id, {"link_to": hub_id, "new": new}, actor, datetime.now(UTC))
    return hub_id


def _insert_new(
    conn: Any, entity: str, record: dict[str, Any], connector: str, now: datetime
) -> str:
    try:
        model = validate(entity, record)
    except CanonicalValidationError as exc:
        raise ResolutionError(str(exc)) from None
    values = model.model_dump()
    hub_id = str(uuid.uuid4())
    row = {
        **values,
        "id": hub_id,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
        "extra": {},
        "provenance": {f: [connector, None] for f, v in values.items() if v is not None},
    }
    if entity == "customer":
        row["name_key"] = normalise_name(values.get("name"))
    repo.insert_rows(conn, entity, [row])
    repo.insert_changes(
        conn,
        [
            {
                "entity": entity,
                "hub_id": hub_id,
                "version": 1,
                "fields": sorted(json_values(values)),
                "source": connector,
                "run_id": None,
                "at": now,
            }
        ],
    )
    return hub_id


def _open(engine: Engine, conflict_id: int, kind: str) -> dict[str, Any]:
    conflict = get_conflict(engine, conflict_id)
    if conflict is None:
        raise ResolutionError(f"no conflict with id {conflict_id}")
    if conflict["status"] != "open":
        raise ResolutionError(f"conflict {conflict_id} is already {conflict['status']}")
    if conflict["kind"] != kind:
        raise ResolutionError(f"conflict {conflict_id} is a {conflict['kind']} conflict")
    return conflict


def _close(
    conn: Any, conflict_id: int, resolution: dict[str, Any], actor: str, now: datetime
) -> None:
    conn.execute(
        update(CONFLICT)
        .where(CONFLICT.c.id == conflict_id)
        .values(status="resolved", resolution=resolution, resolved_by=actor, resolved_at=now)
    )
    repo.audit(
        conn,
        actor=actor,
        action="conflict.resolve",
        target=str(conflict_id),
        details=resolution,
        at=now,
    )
