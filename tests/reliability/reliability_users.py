"""People editing Zoho CRM and Kingdee over each vendor's own API while the hub syncs.

``Editors`` runs edits on a thread of its own: a sandbox hook (which runs on
that sandbox's server thread) hands an edit of the *other* system over and
waits for it to finish, so the edit lands at an exact moment of the run without
the hook ever calling the server it is blocking.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import httpx

from connectors.sdk.sandbox import SandboxServer


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

    def update(self, module: str, record_id: str, changes: dict[str, Any]) -> None:
        item = self.client.put(f"/{module}/{record_id}", json={"data": [changes]}).json()["data"][0]
        assert item["status"] == "success", item

    def close(self) -> None:
        self.client.close()


class KingdeeUser:
    """Someone using K/3 Cloud through its WebAPI: un-audit, save, submit, audit."""

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

    def _operate(self, operation: str, form_id: str, number: str) -> dict[str, Any]:
        answer = self._call(
            f"Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.{operation}",
            {"formid": form_id, "data": {"Numbers": [number]}},
        )
        status: dict[str, Any] = answer["Result"]["ResponseStatus"]
        return status

    def edit(
        self, form_id: str, id_key: str, record_id: Any, number: str, changes: dict[str, Any]
    ) -> None:
        """Change a record as a person does: an audited one is un-audited first and put back."""
        audited = self._operate("UnAudit", form_id, number)["IsSuccess"]
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
        if audited:
            for operation in ("Submit", "Audit"):
                status = self._operate(operation, form_id, number)
                assert status["IsSuccess"], status

    def close(self) -> None:
        self.client.close()


class Editors:
    """A thread that makes edits handed to it and reports when each is done."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], None], Future[None]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="editors", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            edit, done = job
            try:
                edit()
            except BaseException as exc:  # reported to the waiting hook, then the test
                done.set_exception(exc)
            else:
                done.set_result(None)

    def now(self, edit: Callable[[], None], timeout: float = 60.0) -> None:
        """Make ``edit`` on the editors' thread and wait until it is done."""
        done: Future[None] = Future()
        self._jobs.put((edit, done))
        done.result(timeout=timeout)

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=10)
