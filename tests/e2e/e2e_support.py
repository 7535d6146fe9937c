"""End-to-end helpers: the demo's two sandboxes (Zoho CRM, Kingdee) and a hub store.

Records are created and edited in the sandboxes the way a person would, over
each vendor's own wire protocol (``vendor_users``), never by the
connector under test.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from vendor_users import KingdeeUser, ZohoUser

from connectors.sdk.sandbox import SandboxServer
from hub.demo.run import CRM, ERP, PIPELINE, PM, Demo
from hub.settings import Settings
from hub.sync import repo
from hub.sync.runner import RunResult, run_pipeline

ZOHO_WRITES = ("POST", "PUT", "DELETE")
KINGDEE_WRITES = ("Save", "BatchSave", "Submit", "Audit", "UnAudit", "Delete", "CancelAssign")


@dataclass
class Hub:
    """A demo deployment for one test: both sandboxes, settings, store, and helpers."""

    demo: Demo
    tmp: Path
    clients: list[httpx.Client] = field(default_factory=list)

    def zoho(self) -> ZohoUser:
        """A CRM user (closed with the fixture)."""
        user = ZohoUser(self.crm)
        self.clients.append(user.client)
        return user

    def kingdee(self) -> KingdeeUser:
        """A finance user (closed with the fixture)."""
        user = KingdeeUser(self.erp)
        self.clients.append(user.client)
        return user

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.demo.stop()
        self.demo.engine.dispose()

    @property
    def settings(self) -> Settings:
        return self.demo.settings

    @property
    def crm(self) -> SandboxServer:
        return self.demo.servers[CRM]

    @property
    def erp(self) -> SandboxServer:
        return self.demo.servers[ERP]

    @property
    def pm(self) -> SandboxServer:
        """The project tool's sandbox (demos started with a delivery tool)."""
        return self.demo.servers[PM]

    def run(self, pipeline: str = PIPELINE, **kwargs: Any) -> RunResult:
        result = asyncio.run(run_pipeline(self.settings, self.demo.engine, pipeline, **kwargs))
        assert result.error is None, result.error
        return result

    def link(
        self,
        connector: str,
        entity: str,
        *,
        hub_id: str | None = None,
        remote_id: str | None = None,
    ) -> dict[str, Any] | None:
        with self.demo.engine.connect() as conn:
            if hub_id is not None:
                return repo.links_by_hub(conn, connector, entity, [hub_id]).get(hub_id)
            assert remote_id is not None
            return repo.links_by_remote(conn, connector, entity, [remote_id]).get(remote_id)

    def links(self, connector: str, entity: str) -> list[dict[str, Any]]:
        with self.demo.engine.connect() as conn:
            return [
                dict(r)
                for r in conn.execute(
                    select(repo.LINK).where(
                        repo.LINK.c.connector == connector, repo.LINK.c.entity == entity
                    )
                ).mappings()
            ]

    def writes(self) -> dict[str, int]:
        """Write requests each sandbox has served so far."""
        crm = sum(
            n
            for (method, path), n in self.crm.sandbox.requests.items()
            if method in ZOHO_WRITES and "/oauth/" not in path and not path.endswith("/coql")
        )
        erp = sum(
            n
            for (_, path), n in self.erp.sandbox.requests.items()
            if any(f".{op}.common" in path for op in KINGDEE_WRITES)
        )
        return {CRM: crm, ERP: erp}
