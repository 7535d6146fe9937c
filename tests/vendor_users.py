"""People using Zoho CRM and Kingdee over each vendor's own API, never through the hub.

Tests create and edit records the way a person would (what each product's own UI
does on the wire), so the connector under test only ever sees the result. Shared by
the end-to-end and reliability suites (``tests/`` is on ``sys.path`` through the root
conftest).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from connectors.sdk.sandbox import SandboxServer

KINGDEE_FORMS = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService"


class ZohoUser:
    """Someone using Zoho CRM through its REST API."""

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

    def close(self) -> None:
        self.client.close()


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

    def operate(self, operation: str, form_id: str, number: str) -> dict[str, Any]:
        """Submit, Audit or UnAudit one bill by number; the vendor's ResponseStatus."""
        answer = self._call(
            f"{KINGDEE_FORMS}.{operation}", {"formid": form_id, "data": {"Numbers": [number]}}
        )
        status: dict[str, Any] = answer["Result"]["ResponseStatus"]
        return status

    def edit(
        self, form_id: str, id_key: str, record_id: Any, number: str, changes: dict[str, Any]
    ) -> None:
        """Change a record as a person does: an audited one is un-audited first and put back."""
        audited = self.operate("UnAudit", form_id, number)["IsSuccess"]
        answer = self._call(
            f"{KINGDEE_FORMS}.Save",
            {
                "formid": form_id,
                "data": {
                    "NeedUpDateFields": list(changes),
                    "Model": {id_key: record_id, **changes},
                },
            },
        )
        assert answer["Result"]["ResponseStatus"]["IsSuccess"], answer
        if audited:
            for operation in ("Submit", "Audit"):
                status = self.operate(operation, form_id, number)
                assert status["IsSuccess"], status

    def save(self, form_id: str, model: dict[str, Any]) -> str:
        """Save a new bill; its number."""
        answer = self._call(f"{KINGDEE_FORMS}.Save", {"formid": form_id, "data": {"Model": model}})
        status = answer["Result"]["ResponseStatus"]
        assert status["IsSuccess"], status
        return str(answer["Result"]["Number"])

    def close(self) -> None:
        self.client.close()
