"""``synchub demo``: start the CRM, finance and project-tool sandboxes with seeded data, sync, report.

Everything runs on this machine: the vendor simulators on 127.0.0.1, the store in
a SQLite file under ``var/demo/``. Each demo starts fresh (the sandboxes keep
their data in memory, so an old store would point at records that no longer
exist). Two pipelines: ``crm-erp`` (the CRM and the finance system) and
``crm-delivery`` (CRM contracts and milestones to the project tool, delivery
status back); ``hub.demo.variants`` lists the systems each can use.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, func, select

from connectors.sdk import registry
from connectors.sdk.fakedata import Universe, build_universe
from connectors.sdk.sandbox import Sandbox, SandboxServer
from hub.demo.universe import DemoPlan, split
from hub.demo.variants import (
    CRM,
    DELIVERY_PIPELINE,
    EMPTY,
    ERP,
    PIPELINE,
    PM,
    System,
    delivery_tool,
    finance_system,
)
from hub.model import ENTITIES
from hub.settings import Settings, load_settings
from hub.store import make_engine, upgrade
from hub.sync import repo
from hub.sync.context import RunObserver
from hub.sync.runner import RunResult, run_pipeline

__all__ = [
    "BINDINGS",
    "CRM",
    "DELIVERY_PIPELINE",
    "ERP",
    "PIPELINE",
    "PM",
    "Demo",
    "initial_sync",
    "run_demo_sync",
    "start",
    "store_summary",
]
BINDINGS = finance_system("kingdee").bindings
"""The default ``crm-erp`` pipeline's bindings (Zoho CRM <-> Kingdee)."""


@dataclass
class Demo:
    """A running demo: its sandboxes, settings and store, and which systems it runs."""

    plan: DemoPlan
    servers: dict[str, SandboxServer]
    settings: Settings
    engine: Engine
    config_file: Path
    finance: str = "kingdee"
    delivery: str | None = "jira"

    def stop(self) -> None:
        """Stop the sandboxes."""
        for server in self.servers.values():
            server.stop()


def start(
    folder: Path,
    *,
    seed: int = 2026,
    companies: int = 300,
    ports: dict[str, int] | None = None,
    finance: str = "kingdee",
    delivery: str | None = "jira",
) -> Demo:
    """Start the sandboxes, write the demo's settings file, create a fresh store.

    ``finance`` and ``delivery`` pick the variants (``hub.demo.variants``);
    ``delivery=None`` leaves the project tool and the ``crm-delivery`` pipeline out.
    """
    erp = finance_system(finance)
    pm = delivery_tool(delivery) if delivery is not None else None
    folder.mkdir(parents=True, exist_ok=True)
    plan = split(build_universe(seed, companies))
    ports = ports or {}
    servers = {
        CRM: _serve("zoho-crm", plan.crm, seed, ports.get(CRM, 0)),
        ERP: _serve(erp.connector, plan.erp, seed, ports.get(ERP, 0), erp),
    }
    if pm is not None:
        servers[PM] = _serve(pm.connector, EMPTY, seed, ports.get(PM, 0), pm)
    database = folder / "demo.db"
    for leftover in folder.glob("demo.db*"):
        leftover.unlink()
    types = {CRM: "zoho-crm", ERP: erp.connector} | ({PM: pm.connector} if pm else {})
    pipelines: dict[str, Any] = {
        PIPELINE: _pipeline(
            f"Zoho CRM <-> {erp.title}: customers, contracts, milestones, invoices, payments",
            erp,
            interval=15,
        )
    }
    if pm is not None:
        pipelines[DELIVERY_PIPELINE] = _pipeline(
            f"Zoho CRM contracts and milestones -> {pm.title}; delivery status back",
            pm,
            interval=5,
        )
    config = {
        "database_url": f"sqlite:///{database}",
        "data_dir": str(folder),
        "connectors": {
            name: {"type": types[name], "config": server.connector_config()}
            for name, server in servers.items()
        },
        "pipelines": pipelines,
    }
    config_file = folder / "hub.yaml"
    header = "# Written by `synchub demo`: sandbox credentials only, regenerated on every demo.\n"
    config_file.write_text(
        header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    settings = load_settings(config_file)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return Demo(plan, servers, settings, engine, config_file, finance, delivery)


def _pipeline(description: str, system: System, *, interval: int) -> dict[str, Any]:
    return {
        "description": description,
        "conflict_policy": "owner_wins",
        "schedule": {"interval_minutes": interval, "timezone": "Asia/Shanghai"},
        "streams": [{"connector": c, "stream": s, "direction": d} for c, s, d in system.bindings],
    }


def _serve(
    connector: str, universe: Universe, seed: int, port: int, system: System | None = None
) -> SandboxServer:
    cls = registry.load(connector)
    if not cls.sandbox:
        raise RuntimeError(f"connector {connector} ships no sandbox")
    options = system.sandbox_options if system else {}
    sandbox: Sandbox = registry.resolve(cls.sandbox)(seed=seed, universe=universe, **options)
    return SandboxServer(sandbox, port=port).start()


async def initial_sync(
    demo: Demo, observer: RunObserver | None = None, pipeline: str = PIPELINE
) -> RunResult:
    """A run of one of the demo's pipelines (the CRM-finance one unless named)."""
    return await run_pipeline(
        demo.settings, demo.engine, pipeline, observer=observer, trigger="demo"
    )


def store_summary(engine: Engine) -> dict[str, Any]:
    """Counts of what the store now holds: records, links per system, held, dead-lettered."""
    summary: dict[str, Any] = {"records": {}, "linked": {}, "at": datetime.now(UTC).isoformat()}
    with engine.connect() as conn:
        for entity in ENTITIES:
            table = repo.entity_table(entity)
            summary["records"][entity] = conn.execute(
                select(func.count()).select_from(table)
            ).scalar_one()
        rows = conn.execute(
            select(repo.LINK.c.connector, repo.LINK.c.entity, func.count()).group_by(
                repo.LINK.c.connector, repo.LINK.c.entity
            )
        )
        for connector, entity, count in rows:
            summary["linked"].setdefault(connector, {})[entity] = count
        summary["conflicts"] = conn.execute(
            select(func.count()).select_from(repo.CONFLICT).where(repo.CONFLICT.c.status == "open")
        ).scalar_one()
        summary["dead_letters"] = conn.execute(
            select(func.count()).select_from(repo.DEAD).where(repo.DEAD.c.status == "open")
        ).scalar_one()
    return summary


def run_demo_sync(folder: Path, **kwargs: Any) -> tuple[Demo, RunResult]:
    """Start and run the initial sync (for scripts and tests)."""
    demo = start(folder, **kwargs)
    return demo, asyncio.run(initial_sync(demo))
