"""End-to-end helpers: the demo's two sandboxes (Zoho CRM, Kingdee) and a hub store.

Records are created and edited in the sandboxes the way a person would, over
each vendor's own wire protocol (``ZohoUser``, ``KingdeeUser``), never by the
connector under test.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from connectors.sdk.sandbox import SandboxServer
from hub.demo.run import CRM, ERP, PIPELINE, PM, Demo
from hub.settings import Settings
from hub.sync import repo
from hub.sync.runner import RunResult, run_pipeline

ZOHO_WRITES = ("POST", "PUT", "DELETE")
KINGDEE_WRITES = ("Save", "BatchSave", "Submit", "Audit", "UnAudit", "Delete", "CancelAssign")


class ZohoUser:
    """Someone using Zoho CRM through its REST API (what the CRM's own UI does)."""

    def __init__(self, server: SandboxServer) -> None:
        creds = server.credentials()
        token = httpx.post(
            f"{creds['accounts_url']}/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "refresh_token": creds["refresh_token"],
            },
        ).json()
        self.client = httpx.Client(
            base_url=token["api_domain"] + "/crm/v8",
            headers={"Authorization": f"Zoho-oauthtoken {token['access_token']}"},
        )

    def create(self, module: str, record: dict[str, Any]) -> str:
        body = self.client.post(f"/{module}", json={"data": [record], "trigger": []}).json()
        item = body["data"][0]
        assert item["status"] == "success", item
        return str(item["details"]["id"])

    def update(self, module: str, record_id: str, changes: dict[str, Any]) -> None:
        item = self.client.put(f"/{module}/{record_id}", json={"data": [changes]}).json()["data"][0]
        assert item["status"] == "success", item

    def get(self, module: str, record_id: str) -> dict[str, Any]:
        return self.client.get(f"/{module}/{record_id}").json()["data"][0]  # type: ignore[no-any-return]


class KingdeeUser:
    """Someone using K/3 Cloud through its WebAPI with a password session."""

    def __init__(self, server: SandboxServer) -> None:
        creds = server.credentials()
        self.base = creds["base_url"].rstrip("/")
        self.client = httpx.Client()
        login = self._call(
            "Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser",
            {
                "parameters": [
                    creds["acct_id"],
                    creds["user_name"],
                    creds["password"],
                    creds["lcid"],
                ]
            },
        )
        assert login["LoginResultType"] == 1, login

    def _call(self, service: str, body: dict[str, Any]) -> Any:
        response = self.client.post(
            f"{self.base}/{service}.common.kdsvc", content=json.dumps(body, ensure_ascii=False)
        )
        return response.json()

    def operate(self, operation: str, form_id: str, number: str) -> None:
        """Submit, Audit or UnAudit one bill by number."""
        answer = self._call(
            f"Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.{operation}",
            {"formid": form_id, "data": {"Numbers": [number]}},
        )
        status = answer["Result"]["ResponseStatus"]
        assert status["IsSuccess"], status

    def edit(
        self, form_id: str, id_key: str, record_id: Any, number: str, changes: dict[str, Any]
    ) -> None:
        """What a person does to change an audited record: un-audit, save, submit, audit."""
        self.operate("UnAudit", form_id, number)
        answer = self._call(
            "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save",
            {
                "formid": form_id,
                "data": {
                    "NeedUpDateFields": list(changes),
                    "Model": {id_key: record_id, **changes},
                },
            },
        )
        assert answer["Result"]["ResponseStatus"]["IsSuccess"], answer
        self.operate("Submit", form_id, number)
        self.operate("Audit", form_id, number)

    def save(self, form_id: str, model: dict[str, Any]) -> str:
        answer = self._call(
            "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save",
            {"formid": form_id, "data": {"Model": model}},
        )
        status = answer["Result"]["ResponseStatus"]
        assert status["IsSuccess"], status
        return str(answer["Result"]["Number"])


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
