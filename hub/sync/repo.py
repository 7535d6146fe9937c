"""Store access for the sync engine: batched reads and writes with SQLAlchemy Core.

Everything here works on whole pages (one query for all the links of a page, one
executemany for all its inserts), because a round trip per record is what makes
a sync slow. Functions take the connection of the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, delete, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from hub.model import TABLES
from hub.store import Conflict, Cursor, DeadLetter, Link, WriteIntent
from hub.store.bulk import insert_many
from hub.store.tables import Audit, Change

LINK: Table = Link.__table__  # type: ignore[attr-defined]
CHANGE: Table = Change.__table__  # type: ignore[attr-defined]
CURSOR: Table = Cursor.__table__  # type: ignore[attr-defined]
DEAD: Table = DeadLetter.__table__  # type: ignore[attr-defined]
CONFLICT: Table = Conflict.__table__  # type: ignore[attr-defined]
INTENT: Table = WriteIntent.__table__  # type: ignore[attr-defined]
AUDIT: Table = Audit.__table__  # type: ignore[attr-defined]
CHUNK = 500  # bound parameters per IN (...) list; SQLite allows 32k, PostgreSQL 65k


def entity_table(entity: str) -> Table:
    """The table of a canonical entity."""
    return TABLES[entity].__table__  # type: ignore[attr-defined, no-any-return]


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# -- cursors -----------------------------------------------------------------------------


def get_cursor(conn: Connection, connector: str, stream: str, direction: str) -> Any:
    """The stored cursor value, or ``None``."""
    row = conn.execute(
        select(CURSOR.c.value).where(
            CURSOR.c.connector == connector,
            CURSOR.c.stream == stream,
            CURSOR.c.direction == direction,
        )
    ).first()
    return None if row is None else row[0]


def set_cursor(
    conn: Connection, connector: str, stream: str, direction: str, value: Any, *, now: datetime
) -> None:
    """Insert or replace a cursor."""
    values = {
        "connector": connector,
        "stream": stream,
        "direction": direction,
        "value": value,
        "updated_at": now,
    }
    dialect = conn.dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(CURSOR).values(values)
    else:
        stmt = sqlite.insert(CURSOR).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["connector", "stream", "direction"],
        set_={"value": value, "updated_at": now},
    )
    conn.execute(stmt)


def delete_cursors(conn: Connection, connector: str, stream: str) -> None:
    """Forget every cursor of a stream (a full re-sync)."""
    conn.execute(delete(CURSOR).where(CURSOR.c.connector == connector, CURSOR.c.stream == stream))


# -- links ---------------------------------------------------------------------------------


def links_by_remote(
    conn: Connection, connector: str, entity: str, remote_ids: Sequence[str], *, raw: bool = True
) -> dict[str, dict[str, Any]]:
    """Links of these remote ids, keyed by remote id (``raw=False``: without the stored payload)."""
    result: dict[str, dict[str, Any]] = {}
    columns = LINK.c if raw else [c for c in LINK.c if c.name != "raw"]
    for chunk in _chunks(list(remote_ids)):
        rows = conn.execute(
            select(*columns).where(
                LINK.c.connector == connector, LINK.c.entity == entity, LINK.c.remote_id.in_(chunk)
            )
        ).mappings()
        result.update({row["remote_id"]: dict(row) for row in rows})
    return result


def links_by_hub(
    conn: Connection, connector: str, entity: str, hub_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Links of these hub ids in one connector, keyed by hub id."""
    result: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(hub_ids)):
        rows = conn.execute(
            select(LINK).where(
                LINK.c.connector == connector, LINK.c.entity == entity, LINK.c.hub_id.in_(chunk)
            )
        ).mappings()
        result.update({row["hub_id"]: dict(row) for row in rows})
    return result


def linked_hub_ids(
    conn: Connection, connector: str, entity: str, hub_ids: Sequence[str]
) -> set[str]:
    """Which of these hub ids already have a twin in ``connector`` (ids only: no payloads)."""
    found: set[str] = set()
    for chunk in _chunks(list(hub_ids)):
        rows = conn.execute(
            select(LINK.c.hub_id).where(
                LINK.c.connector == connector, LINK.c.entity == entity, LINK.c.hub_id.in_(chunk)
            )
        )
        found.update(r[0] for r in rows)
    return found


def all_links(conn: Connection, connector: str, entity: str) -> list[dict[str, Any]]:
    """Every link of a connector and entity (hub id, remote id, remote key)."""
    rows = conn.execute(
        select(LINK.c.hub_id, LINK.c.remote_id, LINK.c.remote_key, LINK.c.stream).where(
            LINK.c.connector == connector, LINK.c.entity == entity
        )
    ).mappings()
    return [dict(row) for row in rows]


def link_remote_ids(
    conn: Connection, connector: str, entity: str, stream: str, *, batch: int = 5000
) -> Iterator[list[str]]:
    """Remote ids of every link of one stream, in batches, never all held at once."""
    rows = conn.execution_options(yield_per=batch).execute(
        select(LINK.c.remote_id).where(
            LINK.c.connector == connector, LINK.c.entity == entity, LINK.c.stream == stream
        )
    )
    for part in rows.partitions(batch):
        yield [row[0] for row in part]


def resolve_remote(
    conn: Connection, connector: str, entity: str, key: str, identifiers: Sequence[str]
) -> dict[str, str]:
    """Remote identifiers (``remote_id`` or ``remote_key``) -> hub ids."""
    column = LINK.c.remote_key if key == "remote_key" else LINK.c.remote_id
    result: dict[str, str] = {}
    for chunk in _chunks(list(identifiers)):
        rows = conn.execute(
            select(column, LINK.c.hub_id).where(
                LINK.c.connector == connector, LINK.c.entity == entity, column.in_(chunk)
            )
        )
        result.update({str(r[0]): r[1] for r in rows})
    return result


def resolve_hub(
    conn: Connection, connector: str, entity: str, key: str, hub_ids: Sequence[str]
) -> dict[str, str]:
    """Hub ids -> remote identifiers (``remote_id`` or ``remote_key``) in one connector."""
    column = LINK.c.remote_key if key == "remote_key" else LINK.c.remote_id
    result: dict[str, str] = {}
    for chunk in _chunks(list(hub_ids)):
        rows = conn.execute(
            select(LINK.c.hub_id, column).where(
                LINK.c.connector == connector, LINK.c.entity == entity, LINK.c.hub_id.in_(chunk)
            )
        )
        result.update({r[0]: str(r[1]) for r in rows if r[1] is not None})
    return result


def insert_links(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert new links (executemany)."""
    insert_many(conn, LINK, rows)


def update_links(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Update links by id; every row carries the same keys."""
    if not rows:
        return
    keys = [k for k in rows[0] if k != "id"]
    stmt = (
        update(LINK)
        .where(LINK.c.id == bindparam("b_id"))
        .values({k: bindparam(f"b_{k}") for k in keys})
    )
    conn.execute(stmt, [{f"b_{k}": v for k, v in row.items()} for row in rows])


def delete_link(conn: Connection, link_id: int) -> None:
    """Remove one link."""
    conn.execute(delete(LINK).where(LINK.c.id == link_id))


# -- canonical rows --------------------------------------------------------------------------


def rows_by_id(conn: Connection, entity: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Canonical rows by hub id (deleted ones included)."""
    table = entity_table(entity)
    result: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(ids)):
        result.update(
            {
                row["id"]: dict(row)
                for row in conn.execute(select(table).where(table.c.id.in_(chunk))).mappings()
            }
        )
    return result


def columns_by_id(
    conn: Connection, entity: str, ids: Sequence[str], columns: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """A few columns of canonical rows by hub id (cheaper than whole rows with their JSON)."""
    table = entity_table(entity)
    wanted = [table.c.id, *(table.c[c] for c in columns)]
    result: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(ids)):
        result.update(
            {
                row["id"]: dict(row)
                for row in conn.execute(select(*wanted).where(table.c.id.in_(chunk))).mappings()
            }
        )
    return result


def match_candidates(
    conn: Connection, entity: str, column: str, values: Sequence[Any]
) -> dict[Any, list[str]]:
    """Live canonical rows whose ``column`` is one of ``values``: value -> hub ids."""
    table = entity_table(entity)
    col = table.c[column]
    result: dict[Any, list[str]] = {}
    for chunk in _chunks(list(values)):
        rows = conn.execute(
            select(col, table.c.id).where(col.in_(chunk), table.c.deleted_at.is_(None))
        )
        for value, hub_id in rows:
            result.setdefault(value, []).append(hub_id)
    return result


def insert_rows(conn: Connection, entity: str, rows: list[dict[str, Any]]) -> None:
    """Insert canonical rows (executemany)."""
    if rows:
        insert_many(conn, entity_table(entity), rows)


def update_row(conn: Connection, entity: str, hub_id: str, values: dict[str, Any]) -> None:
    """Update one canonical row."""
    table = entity_table(entity)
    conn.execute(update(table).where(table.c.id == hub_id).values(values))


# -- change log --------------------------------------------------------------------------------


CHANGE_LOG_LOCK = 0x5359_4E43  # "SYNC": advisory lock id serialising change-log appends


def insert_changes(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Append to the change log, in commit order.

    Push cursors are positions in the log, so a change must never become visible
    after a later-numbered one: a reader that saw seq 11 would otherwise skip 10
    when its transaction committed late. SQLite has one writer at a time; on
    PostgreSQL every appending transaction takes one transaction-scoped advisory
    lock first, so sequence numbers are drawn in commit order.
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})
    insert_many(conn, CHANGE, rows)


def changes_after(conn: Connection, entity: str, after: int, limit: int) -> list[tuple[int, str]]:
    """(seq, hub_id) of the next changes of ``entity`` after position ``after``."""
    rows = conn.execute(
        select(CHANGE.c.seq, CHANGE.c.hub_id)
        .where(CHANGE.c.entity == entity, CHANGE.c.seq > after)
        .order_by(CHANGE.c.seq)
        .limit(limit)
    )
    return [(int(seq), hub_id) for seq, hub_id in rows]


# -- write intents ---------------------------------------------------------------------------


def intents(conn: Connection, connector: str, entity: str, hub_ids: Sequence[str]) -> set[str]:
    """Hub ids whose create at this connector was sent but never confirmed."""
    found: set[str] = set()
    for chunk in _chunks(list(hub_ids)):
        rows = conn.execute(
            select(INTENT.c.hub_id).where(
                INTENT.c.connector == connector,
                INTENT.c.entity == entity,
                INTENT.c.hub_id.in_(chunk),
            )
        )
        found.update(r[0] for r in rows)
    return found


def add_intents(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Record creates about to be sent (skipping ones already recorded)."""
    if not rows:
        return
    existing = intents(conn, rows[0]["connector"], rows[0]["entity"], [r["hub_id"] for r in rows])
    fresh = [r for r in rows if r["hub_id"] not in existing]
    if fresh:
        conn.execute(insert(INTENT), fresh)


def clear_intents(conn: Connection, connector: str, entity: str, hub_ids: Sequence[str]) -> None:
    """Forget intents whose outcome is now known."""
    for chunk in _chunks(list(hub_ids)):
        conn.execute(
            delete(INTENT).where(
                INTENT.c.connector == connector,
                INTENT.c.entity == entity,
                INTENT.c.hub_id.in_(chunk),
            )
        )


# -- dead letters, conflicts, audit ---------------------------------------------------------------


def add_dead_letter(conn: Connection, row: dict[str, Any]) -> None:
    """Record a failed record; a repeat failure of the same record bumps its attempt count."""
    key = and_(
        DEAD.c.connector == row["connector"],
        DEAD.c.stream == row["stream"],
        DEAD.c.direction == row["direction"],
        DEAD.c.status == "open",
        (DEAD.c.remote_id == row["remote_id"])
        if row.get("remote_id")
        else (DEAD.c.hub_id == row.get("hub_id")),
    )
    existing = conn.execute(select(DEAD.c.id, DEAD.c.attempts).where(key)).first()
    if existing is None:
        conn.execute(insert(DEAD).values(row))
        return
    conn.execute(
        update(DEAD)
        .where(DEAD.c.id == existing[0])
        .values(
            attempts=existing[1] + 1,
            error=row["error"],
            stage=row["stage"],
            field=row.get("field"),
            payload=row.get("payload"),
            last_attempt=row["last_attempt"],
            run_id=row.get("run_id"),
            next_attempt_at=row.get("next_attempt_at"),
        )
    )


def resolve_dead_letters(
    conn: Connection,
    connector: str,
    stream: str,
    direction: str,
    *,
    remote_ids: Sequence[str] = (),
    hub_ids: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Delete open dead letters of records that now went through; return what was removed."""
    removed: list[dict[str, Any]] = []
    for column, values in ((DEAD.c.remote_id, remote_ids), (DEAD.c.hub_id, hub_ids)):
        for chunk in _chunks(list(values)):
            where = and_(
                DEAD.c.connector == connector,
                DEAD.c.stream == stream,
                DEAD.c.direction == direction,
                DEAD.c.status == "open",
                column.in_(chunk),
            )
            rows = conn.execute(
                select(DEAD.c.id, DEAD.c.remote_id, DEAD.c.hub_id, DEAD.c.attempts).where(where)
            ).mappings()
            found = [dict(r) for r in rows]
            if found:
                conn.execute(delete(DEAD).where(DEAD.c.id.in_([r["id"] for r in found])))
                removed.extend(found)
    return removed


def open_conflicts(
    conn: Connection, entity: str, hub_ids: Sequence[str]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Open field conflicts by hub id and field."""
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for chunk in _chunks(list(hub_ids)):
        rows = conn.execute(
            select(CONFLICT).where(
                CONFLICT.c.entity == entity,
                CONFLICT.c.status == "open",
                CONFLICT.c.kind == "field",
                CONFLICT.c.hub_id.in_(chunk),
            )
        ).mappings()
        for row in rows:
            result.setdefault(row["hub_id"], {})[row["field"]] = dict(row)
    return result


def upsert_conflict(conn: Connection, row: dict[str, Any]) -> None:
    """Open a conflict, or refresh the values of the open one for the same record and field."""
    if row["kind"] == "field":
        key = and_(
            CONFLICT.c.kind == "field",
            CONFLICT.c.status == "open",
            CONFLICT.c.entity == row["entity"],
            CONFLICT.c.hub_id == row["hub_id"],
            CONFLICT.c.field == row["field"],
        )
    else:
        key = and_(
            CONFLICT.c.kind == row["kind"],
            CONFLICT.c.status == "open",
            CONFLICT.c.connector == row["connector"],
            CONFLICT.c.entity == row["entity"],
            CONFLICT.c.remote_id == row["remote_id"],
        )
    existing = conn.execute(select(CONFLICT.c.id).where(key)).first()
    if existing is None:
        conn.execute(insert(CONFLICT).values(row))
    else:
        conn.execute(
            update(CONFLICT)
            .where(CONFLICT.c.id == existing[0])
            .values(values=row["values"], run_id=row.get("run_id"))
        )


def settle_match_conflicts(
    conn: Connection,
    connector: str,
    entity: str,
    linked: dict[str, str],
    *,
    run_id: str,
    now: datetime,
) -> list[dict[str, Any]]:
    """Close the open match conflicts of remote records linked now; return what was read.

    ``linked`` maps remote ids to hub ids; the records returned are as read when held.
    A create whose outcome a crash hid is read back by the next pull, held there as an
    ambiguous twin, and then linked by the push's look-up: the question is answered, and
    what was read then (the vendor's own fields) is still to be applied.
    """
    held: list[dict[str, Any]] = []
    remote_ids = sorted(linked)
    for chunk in _chunks(remote_ids):
        rows = conn.execute(
            select(CONFLICT.c.id, CONFLICT.c.remote_id, CONFLICT.c["values"]).where(
                CONFLICT.c.kind == "match",
                CONFLICT.c.status == "open",
                CONFLICT.c.connector == connector,
                CONFLICT.c.entity == entity,
                CONFLICT.c.remote_id.in_(chunk),
            )
        ).all()
        for conflict_id, remote_id, values in rows:
            if isinstance((values or {}).get("raw"), dict):
                held.append(values["raw"])
            resolution = {"link_to": linked[remote_id], "new": False, "run_id": run_id}
            conn.execute(
                update(CONFLICT)
                .where(CONFLICT.c.id == conflict_id)
                .values(
                    status="resolved", resolution=resolution, resolved_by="sync", resolved_at=now
                )
            )
            audit(
                conn,
                actor="sync",
                action="conflict.settled",
                target=str(conflict_id),
                details=resolution,
                at=now,
            )
    return held


def audit(
    conn: Connection, *, actor: str, action: str, target: str, details: dict[str, Any], at: datetime
) -> None:
    """Append an audit line."""
    conn.execute(
        insert(AUDIT).values(actor=actor, action=action, target=target, details=details, at=at)
    )
