"""``synchub demo``: start the CRM and finance sandboxes with seeded data, sync both ways, report.

Everything runs on this machine: the vendor simulators on 127.0.0.1, the store in
a SQLite file under ``var/demo/``. Each demo starts fresh (the sandboxes keep
their data in memory, so an old store would point at records that no longer
exist).
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
from hub.model import ENTITIES
from hub.settings import Settings, load_settings
from hub.store import make_engine, upgrade
from hub.sync import repo
from hub.sync.context import RunObserver
from hub.sync.runner import RunResult, run_pipeline

PIPELINE = "crm-erp"
CRM, ERP = "crm", "erp"
BINDINGS: tuple[tuple[str, str, str], ...] = (
    (CRM, "accounts", "both"),
    (ERP, "customers", "both"),
    (CRM, "contacts", "both"),
    (CRM, "contracts", "both"),
    (ERP, "contracts", "both"),
    (CRM, "contract_milestones", "both"),
    (ERP, "invoices_special", "in"),
    (ERP, "invoices_normal", "in"),
    (CRM, "invoices", "out"),
    (ERP, "payments", "in"),
    (CRM, "payments", "out"),
)


@dataclass
class Demo:
    """A running demo: its sandboxes, settings and store."""

    plan: DemoPlan
    servers: dict[str, SandboxServer]
    settings: Settings
    engine: Engine
    config_file: Path

    def stop(self) -> None:
        """Stop the sandboxes."""
        for server in self.servers.values():
            server.stop()


def start(
    folder: Path, *, seed: int = 2026, companies: int = 300, ports: dict[str, int] | None = None
) -> Demo:
    """Start both sandboxes, write the demo's settings file, create a fresh store."""
    folder.mkdir(parents=True, exist_ok=True)
    plan = split(build_universe(seed, companies))
    ports = ports or {}
    servers = {
        CRM: _serve("zoho-crm", plan.crm, seed, ports.get(CRM, 0)),
        ERP: _serve("kingdee", plan.erp, seed, ports.get(ERP, 0)),
    }
    database = folder / "demo.db"
    for leftover in folder.glob("demo.db*"):
        leftover.unlink()
    config = {
        "database_url": f"sqlite:///{database}",
        "data_dir": str(folder),
        "connectors": {
            CRM: {"type": "zoho-crm", "config": servers[CRM].connector_config()},
            ERP: {"type": "kingdee", "config": servers[ERP].connector_config()},
        },
        "pipelines": {
            PIPELINE: {
                "description": "Zoho CRM <-> Kingdee K/3 Cloud: customers, contracts, milestones, invoices, payments",
                "conflict_policy": "owner_wins",
                "schedule": {"interval_minutes": 15, "timezone": "Asia/Shanghai"},
                "streams": [{"connector": c, "stream": s, "direction": d} for c, s, d in BINDINGS],
            }
        },
    }
    config_file = folder / "hub.yaml"
    header = "# Written by `synchub demo`: sandbox credentials only, regenerated on every demo.\n"
    config_file.write_text(
        header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    settings = load_settings(config_file)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return Demo(plan, servers, settings, engine, config_file)


def _serve(connector: str, universe: Universe, seed: int, port: int) -> SandboxServer:
    cls = registry.load(connector)
    if not cls.sandbox:
        raise RuntimeError(f"connector {connector} ships no sandbox")
    sandbox: Sandbox = registry.resolve(cls.sandbox)(seed=seed, universe=universe)
    return SandboxServer(sandbox, port=port).start()


async def initial_sync(demo: Demo, observer: RunObserver | None = None) -> RunResult:
    """The first run of the demo pipeline (both ways)."""
    return await run_pipeline(
        demo.settings, demo.engine, PIPELINE, observer=observer, trigger="demo"
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
