"""The hub under test: ``run_pipeline`` over one Zoho CRM (or Kingdee) binding, SQLite store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hub.settings import Settings
from hub.store import make_engine, upgrade
from hub.sync.runner import run_pipeline

PIPELINE = "bench"
MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


def settings(db: str, connectors: dict[str, Any], streams: list[dict[str, str]]) -> Settings:
    """Settings for one benchmark pipeline (tombstones read on full runs only)."""
    return Settings(
        database_url=f"sqlite:///{db}",
        mappings_dir=MAPPINGS,
        connectors=connectors,
        pipelines={PIPELINE: {"streams": streams, "tombstone_interval_minutes": 60}},
    )


def _prepare_pull(
    db: str, config: dict[str, Any], full: bool = True, fresh: bool = True, **_: Any
) -> Any:
    path = Path(db)
    if fresh:
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
    cfg = settings(
        db,
        {"crm": {"type": "zoho-crm", "config": config}},
        [{"connector": "crm", "stream": "accounts", "direction": "in"}],
    )
    engine = make_engine(cfg.database_url)
    upgrade(engine)
    return cfg, engine


async def pull(
    db: str, config: dict[str, Any], state: Any, full: bool = True, fresh: bool = True
) -> dict[str, Any]:
    """One pipeline run pulling Zoho Accounts into the store at ``db``."""
    cfg, engine = state
    result = await run_pipeline(cfg, engine, PIPELINE, full=full)
    if result.status != "succeeded":
        raise RuntimeError(f"run {result.status}: {result.error}")
    total = result.total()
    return {
        "records": total.read,
        "created": total.created,
        "updated": total.updated,
        "unchanged": total.unchanged,
        "requests": result.requests["crm"]["requests"],
        "by_status": result.requests["crm"]["by_status"],
    }


pull.prepare = _prepare_pull  # type: ignore[attr-defined]


def _prepare_push(
    db: str, template: str, connector_type: str, stream: str, config: dict[str, Any]
) -> Any:
    from bench.canonical import copy_store

    copy_store(template, db)
    cfg = settings(
        db,
        {"target": {"type": connector_type, "config": config}},
        [{"connector": "target", "stream": stream, "direction": "out"}],
    )
    engine = make_engine(cfg.database_url)
    upgrade(engine)
    return cfg, engine


async def push(
    db: str, template: str, connector_type: str, stream: str, config: dict[str, Any], state: Any
) -> dict[str, Any]:
    """One pipeline run pushing every canonical customer to ``connector_type``."""
    cfg, engine = state
    result = await run_pipeline(cfg, engine, PIPELINE)
    if result.status != "succeeded":
        raise RuntimeError(f"run {result.status}: {result.error}")
    total = result.total()
    return {
        "records": total.pushed_created + total.pushed_updated,
        "failed": total.push_failed,
        "requests": result.requests["target"]["requests"],
        "by_status": result.requests["target"]["by_status"],
    }


push.prepare = _prepare_push  # type: ignore[attr-defined]
