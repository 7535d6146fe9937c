"""Reconciliation runs: computed by ``hub.finance.reconcile``, stored, read back by the pages.

A run keeps its summary (counts, totals, customers that differ) as JSON and its
mismatches as rows, so the finance pages and the digest read the last run through
indexes instead of reconciling again; the last ``KEEP_RUNS`` runs are kept.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete, func, insert, select

from hub.finance.fields import FieldRules
from hub.finance.reconcile import (
    KINDS,
    CustomerTotals,
    Mismatch,
    PairTotals,
    Reconciliation,
    reconcile,
)
from hub.finance.sql import Sql
from hub.finance.tables import RECON_ITEM, RECON_RUN

KEEP_RUNS = 20


def run_reconciliation(
    engine: Engine, zone: ZoneInfo, *, rules: FieldRules | None = None, trigger: str = "manual"
) -> Reconciliation:
    """Reconcile, store the result as a new run (keeping the last ``KEEP_RUNS``), return it."""
    with engine.begin() as conn:
        sql = Sql.of(conn, zone)
        result = reconcile(conn, sql, rules)
        result.run_id = str(uuid.uuid4())
        conn.execute(
            insert(RECON_RUN),
            [
                {
                    "id": result.run_id,
                    "started_at": result.started_at,
                    "finished_at": datetime.now(UTC),
                    "trigger": trigger,
                    "mismatches": len(result.mismatches),
                    "summary": summary_json(result),
                }
            ],
        )
        if result.mismatches:
            conn.execute(
                insert(RECON_ITEM),
                [{"run_id": result.run_id, **_item(m)} for m in result.mismatches],
            )
        _prune(conn)
    return result


def _item(m: Mismatch) -> dict[str, Any]:
    return {
        "kind": m.kind,
        "entity": m.entity,
        "hub_id": m.hub_id,
        "label": (m.label or "")[:200] or None,
        "customer_id": m.customer_id,
        "system_a": m.system_a,
        "system_b": m.system_b,
        "value_a": m.value_a,
        "value_b": m.value_b,
        "remote_a": m.remote_a,
        "remote_b": m.remote_b,
        "last_run_a": m.last_run_a,
        "last_run_b": m.last_run_b,
        "detail": m.detail,
    }


def _prune(conn: Connection) -> None:
    keep = select(RECON_RUN.c.id).order_by(RECON_RUN.c.started_at.desc()).limit(KEEP_RUNS)
    old = [r[0] for r in conn.execute(select(RECON_RUN.c.id).where(RECON_RUN.c.id.not_in(keep)))]
    if old:
        conn.execute(delete(RECON_ITEM).where(RECON_ITEM.c.run_id.in_(old)))
        conn.execute(delete(RECON_RUN).where(RECON_RUN.c.id.in_(old)))


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def summary_json(result: Reconciliation) -> dict[str, Any]:
    """The totals of a reconciliation in JSON form (stored with the run)."""
    return {
        "totals": [
            {
                "entity": t.entity,
                "system_a": t.system_a,
                "system_b": t.system_b,
                "count_a": t.count_a,
                "count_b": t.count_b,
                "total_a": _dec(t.total_a),
                "total_b": _dec(t.total_b),
                "field": t.field,
                "subset": t.subset,
            }
            for t in result.totals
        ],
        "customers": [
            {
                "customer_id": c.customer_id,
                "customer_name": c.customer_name,
                "entity": c.entity,
                "system_a": c.system_a,
                "system_b": c.system_b,
                "count_a": c.count_a,
                "count_b": c.count_b,
                "total_a": _dec(c.total_a),
                "total_b": _dec(c.total_b),
            }
            for c in result.customers[:1000]
        ],
        "customers_differing": len(result.customers),
        "by_kind": {kind: result.count(kind) for kind in KINDS},
    }


def _from_dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class StoredRun:
    """A stored reconciliation run, as pages and the digest read it."""

    id: str
    started_at: datetime
    finished_at: datetime
    trigger: str
    mismatches: int
    totals: list[PairTotals]
    customers: list[CustomerTotals]
    customers_differing: int
    by_kind: dict[str, int]


def latest_run(conn: Connection) -> StoredRun | None:
    """The most recent stored reconciliation, or ``None`` when none has run."""
    row = (
        conn.execute(select(RECON_RUN).order_by(RECON_RUN.c.started_at.desc()).limit(1))
        .mappings()
        .first()
    )
    if row is None:
        return None
    summary = row["summary"] or {}
    return StoredRun(
        id=row["id"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        trigger=row["trigger"],
        mismatches=int(row["mismatches"]),
        totals=[
            PairTotals(
                t["entity"],
                t["system_a"],
                t["system_b"],
                int(t["count_a"]),
                int(t["count_b"]),
                _from_dec(t["total_a"]),
                _from_dec(t["total_b"]),
                t.get("field"),
                bool(t.get("subset", False)),
            )
            for t in summary.get("totals", [])
        ],
        customers=[
            CustomerTotals(
                c["customer_id"],
                c["customer_name"],
                c["entity"],
                c["system_a"],
                c["system_b"],
                int(c["count_a"]),
                int(c["count_b"]),
                _from_dec(c["total_a"]),
                _from_dec(c["total_b"]),
            )
            for c in summary.get("customers", [])
        ],
        customers_differing=int(summary.get("customers_differing", 0)),
        by_kind={k: int(v) for k, v in summary.get("by_kind", {}).items()},
    )


def stored_mismatches(
    conn: Connection,
    run_id: str,
    *,
    kind: str | None = None,
    entity: str | None = None,
    customer_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Mismatch], int]:
    """A page of a stored run's mismatches and how many match the filter."""
    query = select(RECON_ITEM, func.count().over().label("matches")).where(
        RECON_ITEM.c.run_id == run_id
    )
    if kind:
        query = query.where(RECON_ITEM.c.kind == kind)
    if entity:
        query = query.where(RECON_ITEM.c.entity == entity)
    if customer_id:
        query = query.where(RECON_ITEM.c.customer_id == customer_id)
    rows = (
        conn.execute(query.order_by(RECON_ITEM.c.id).limit(limit).offset(offset)).mappings().all()
    )
    items = [
        Mismatch(
            kind=r["kind"],
            entity=r["entity"],
            hub_id=r["hub_id"],
            label=r["label"],
            customer_id=r["customer_id"],
            system_a=r["system_a"],
            system_b=r["system_b"],
            value_a=r["value_a"],
            value_b=r["value_b"],
            remote_a=r["remote_a"],
            remote_b=r["remote_b"],
            last_run_a=r["last_run_a"],
            last_run_b=r["last_run_b"],
            detail=r["detail"],
        )
        for r in rows
    ]
    return items, (int(rows[0]["matches"]) if rows else 0)
