"""A simulator of the Zoho CRM v8 REST API, for tests, the demo and third-party clients.

It serves the accounts server (``/oauth/v2/token``) and the CRM API
(``/crm/v8/...``) on one port; the token response names that port as
``api_domain``, which is how real clients, the official SDK included, find the
API host. State lives in memory under ``lock``; see ``store`` for the write rules
and ``api`` for the endpoints.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from connectors.sdk.cn import make_uscc
from connectors.sdk.fakedata import Universe, build_universe
from connectors.sdk.sandbox import ASGIApp, Sandbox, json_response_body
from connectors.zoho_crm.sandbox.api import ZohoApi
from connectors.zoho_crm.sandbox.limits import Meter, too_many
from connectors.zoho_crm.sandbox.schema import ModuleDef, build_modules
from connectors.zoho_crm.sandbox.seed import account_record, seed
from connectors.zoho_crm.sandbox.store import Org, Record

TIME_ZONES = {
    "cn": "Asia/Shanghai",
    "us": "America/Los_Angeles",
    "eu": "Europe/Berlin",
    "in": "Asia/Kolkata",
    "au": "Australia/Sydney",
    "jp": "Asia/Tokyo",
    "ca": "America/Toronto",
    "sa": "Asia/Riyadh",
}
"""The org user's time zone per data centre: Zoho prints every datetime in it."""

JSON_HEADERS = {"content-type": "application/json;charset=UTF-8"}


class ZohoCrmSandbox(Sandbox):
    """The simulated org plus the control hooks tests and the demo drive."""

    name: ClassVar[str] = "zoho-crm"

    def __init__(
        self,
        *,
        seed: int = 0,
        companies: int = 20,
        universe: Universe | None = None,
        data_centre: str = "cn",
        token_ttl: float | str = 3600.0,
        discrete_limit: int | str = 2000,
        token_limit: int | str = 100_000,
        credits_per_day: int | str | None = None,
        max_concurrency: int | str | None = None,
        contracts_module: str = "Contracts",
        payments_module: str = "Payments",
    ) -> None:
        """Options may come as text (``synchub sandbox zoho-crm --option token_ttl=60``)."""
        super().__init__(seed=seed)
        if data_centre not in TIME_ZONES:
            raise ValueError(f"unknown data centre {data_centre!r}; one of {', '.join(TIME_ZONES)}")
        self.data_centre = data_centre
        self.time_zone = TIME_ZONES[data_centre]
        self.token_ttl = float(token_ttl)
        self.discrete_limit = int(discrete_limit)
        self.token_limit = int(token_limit)
        self.contracts_module = contracts_module
        self.payments_module = payments_module
        digest = hashlib.sha256(f"zoho-sandbox-{seed}".encode()).hexdigest()
        self.client_id = f"1000.{digest[:30].upper()}"
        self.client_secret = digest[30:72]
        self.refresh_token = f"1000.{digest[:32]}.{digest[32:64]}"
        self.tokens: dict[str, datetime] = {}
        self._generated = 1_000_000  # reset() numbers its records above what tests pass to samples
        self.token_grants = 0
        self.meter = Meter(
            credits_per_day=_optional_int(credits_per_day),
            max_concurrency=_optional_int(max_concurrency),
            now=self.clock.now,
        )
        user = {
            "name": "王磊",
            "id": "7153000000000000201",
            "email": "wang.lei@synchub-sandbox.cn",
        }
        self.org = Org(
            build_modules(contracts_module, payments_module),
            now=self.clock.now,
            tz=ZoneInfo(self.time_zone),
            user=user,
        )
        universe = universe if universe is not None else build_universe(seed, companies)
        with self.lock:
            seed_org(self, universe)
        self._api = ZohoApi(self)

    # -- the app ---------------------------------------------------------------------------
    def build_app(self) -> ASGIApp:
        """The Starlette app of the accounts server and the CRM API."""
        return self._api.app()

    def rate_limit_response(self, retry_after: float | None) -> tuple[int, dict[str, str], bytes]:
        """Zoho's 429: ``TOO_MANY_REQUESTS``, the wait in ``details.retry_after``, no header."""
        body = too_many("Rate limit exceeded. Please retry after the specified time.", retry_after)
        return 429, dict(JSON_HEADERS), json_response_body(body)

    def rate_limit_advertises_wait(self) -> bool:
        """Zoho's 429 body names the wait (``details.retry_after``)."""
        return True

    def error_response(self, status: int) -> tuple[int, dict[str, str], bytes]:
        """Zoho's server error body."""
        body = {
            "code": "INTERNAL_ERROR",
            "details": {},
            "message": "Internal Server Error",
            "status": "error",
        }
        return status, dict(JSON_HEADERS), json_response_body(body)

    # -- what scripts and tests need ---------------------------------------------------
    def credentials(self, base_url: str) -> dict[str, Any]:
        """The five values ``synchub sandbox zoho-crm --json`` prints."""
        return {
            "base_url": base_url,
            "accounts_url": base_url,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": self.refresh_token,
        }

    def connector_config(self, base_url: str) -> dict[str, Any]:
        """A ``zoho-crm`` connector config aimed at this sandbox."""
        return {
            "data_centre": self.data_centre,
            "accounts_url": base_url,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": self.refresh_token,
            "contracts_module": self.contracts_module,
            "payments_module": self.payments_module,
        }

    def _module_of(self, stream: str) -> ModuleDef:
        names = {
            "accounts": "Accounts",
            "contacts": "Contacts",
            "contracts": self.contracts_module,
            "contract_milestones": self.contracts_module,
            "invoices": "Invoices",
            "payments": self.payments_module,
            "deals": "Deals",
        }
        if stream not in names:
            raise KeyError(f"unknown stream {stream!r}")
        return self.org.modules[names[stream]]

    def reset(self, stream: str, count: int) -> list[str]:
        """Replace a stream's records with ``count`` generated ones, stamped at ``clock.now()``."""
        module = self._module_of(stream)
        with self.lock:
            self.org.records[module.api_name].clear()
            self.org.deleted[module.api_name].clear()
            if stream == "contract_milestones":
                self._generated += 1
                parent = self.org.apply(
                    module, self._contract(self._generated, rows=count), 0, None
                )
                return [row["id"] for row in parent["Milestones"]]
            first, self._generated = self._generated, self._generated + count
            return [
                self.org.apply(module, self.sample_record(stream, first + n), n, None)["id"]
                for n in range(count)
            ]

    def remote_ids(self, stream: str) -> set[str]:
        """Ids of live records (milestones: subform row ids)."""
        module = self._module_of(stream)
        with self.lock:
            records = self.org.records[module.api_name].values()
            if stream == "contract_milestones":
                return {row["id"] for r in records for row in r.get("Milestones") or []}
            return {r["id"] for r in records}

    def get_record(self, stream: str, remote_id: str) -> dict[str, Any] | None:
        """A record as a single-record GET returns it (milestones: the row)."""
        module = self._module_of(stream)
        with self.lock:
            if stream == "contract_milestones":
                for parent in self.org.records[module.api_name].values():
                    for row in self.org.render(module, parent)["Milestones"]:
                        if row["id"] == remote_id:
                            return row  # type: ignore[no-any-return]
                return None
            record = self.org.records[module.api_name].get(remote_id)
            return None if record is None else self.org.render(module, record)

    def touch(self, stream: str, remote_ids: list[str]) -> None:
        """Edit these records now, as a user would (milestones: edit the row, bump the parent)."""
        module = self._module_of(stream)
        with self.lock:
            now = self.org.now()
            for parent in self._owners(module, stream, remote_ids):
                parent["Modified_Time"] = now
                if stream == "contract_milestones":
                    for row in parent.get("Milestones") or []:
                        if row["id"] in remote_ids:
                            row["Milestone_Status"] = "Delivered"
                else:
                    parent["Description" if "Description" in module.by_name else "Modified_By"] = (
                        f"edited at {now.isoformat()}"
                        if "Description" in module.by_name
                        else self.org.owner()
                    )

    def _owners(self, module: ModuleDef, stream: str, ids: list[str]) -> list[Record]:
        records = self.org.records[module.api_name]
        if stream != "contract_milestones":
            return [records[i] for i in ids if i in records]
        return [
            r
            for r in records.values()
            if any(row["id"] in ids for row in r.get("Milestones") or [])
        ]

    def delete(self, stream: str, remote_ids: list[str]) -> None:
        """Delete as a user would: to the recycle bin (milestones: drop the rows)."""
        module = self._module_of(stream)
        with self.lock:
            if stream == "contract_milestones":
                for parent in self._owners(module, stream, remote_ids):
                    parent["Milestones"] = [
                        r for r in parent["Milestones"] if r["id"] not in remote_ids
                    ]
                    parent["Modified_Time"] = self.org.now()
                return
            for rid in remote_ids:
                self.remove(module.api_name, rid)

    def remove(self, module: str, rid: str) -> None:
        """Move a record to the deleted-records list (call with ``lock`` held)."""
        record = self.org.records[module].pop(rid)
        self.org.deleted[module].append(self.org.deleted_entry(self.org.modules[module], record))

    def expire_credentials(self) -> None:
        """Every access token becomes ``INVALID_TOKEN``; the refresh token stays good."""
        with self.lock:
            self.tokens.clear()

    def sample_record(self, stream: str, n: int) -> dict[str, Any]:
        """A valid record for ``stream``, distinct for each ``n``."""
        rng = random.Random(n)
        with self.lock:
            if stream == "accounts":
                record = account_record(_sample_company(n, rng))
                return record
            account = self._any("Accounts")
            if stream == "contacts":
                return {
                    "Last_Name": f"测试联系人{n}",
                    "Email": f"acceptance.{n}@example.cn",
                    "Account_Name": {"id": account},
                }
            if stream == "contracts":
                return self._contract(n, rows=0)
            if stream == "contract_milestones":
                parent = self._any(self.contracts_module) or self._seed_contract()
                return {
                    "Parent_Id": {"id": parent},
                    "Milestone_Name": f"验收里程碑 {n}",
                    "Due_Date": "2026-06-30",
                    "Percent": 50,
                    "Milestone_Status": "Planned",
                }
            if stream == "invoices":
                product = self._any("Products")
                return {
                    "Subject": f"FPTEST{n:06d}",
                    "Account_Name": {"id": account},
                    "Invoice_Date": "2026-01-15",
                    "Status": "Issued",
                    "Invoice_Kind": "VAT Special",
                    "Currency": "CNY",
                    "Invoiced_Items": [
                        {"Product_Name": {"id": product}, "Quantity": 1, "List_Price": 1000 + n,
                         "Line_Tax": [{"name": "VAT 6%", "percentage": 6}]}
                    ],
                }  # fmt: skip
            if stream == "payments":
                return {
                    "Name": f"SKTEST{n:06d}",
                    "Account": {"id": account},
                    "Amount": 500 + n,
                    "Currency": "CNY",
                    "Received_Date": "2026-02-01",
                    "Payment_Method": "Bank Transfer",
                }
        raise KeyError(f"stream {stream!r} is not writable")

    def _contract(self, n: int, *, rows: int) -> dict[str, Any]:
        return {
            "Name": f"HTTEST{n:05d}",
            "Contract_Title": f"验收测试合同 {n}",
            "Account": {"id": self._any("Accounts")},
            "Contract_Type": "Technical Development",
            "Amount": 100000 + n,
            "Currency": "CNY",
            "Tax_Rate": 6,
            "Contract_Status": "Active",
            "Milestones": [
                {"Milestone_Name": f"里程碑 {i + 1}", "Due_Date": "2026-03-31", "Percent": 10, "Milestone_Status": "Planned"}
                for i in range(rows)
            ],
        }  # fmt: skip

    def _seed_contract(self) -> str:
        module = self.org.modules[self.contracts_module]
        return str(self.org.apply(module, self._contract(99_999, rows=0), 0, None)["id"])

    def _any(self, module: str) -> str | None:
        records = self.org.records[module]
        return next(iter(records)) if records else None

    def invalid_record(self, stream: str) -> tuple[dict[str, Any], str]:
        """A record missing its mandatory name field; Zoho says ``required field not found``."""
        invalid: dict[str, dict[str, Any]] = {
            "accounts": {"Phone": "0571-88886666"},
            "contacts": {"Title": "财务经理"},
            "contracts": {"Contract_Title": "无编号合同"},
            "contract_milestones": {
                "Parent_Id": {"id": self._any(self.contracts_module) or ""},
                "Due_Date": "2026-01-01",
            },
            "invoices": {"Status": "Issued"},
            "payments": {"Currency": "CNY"},
        }
        return invalid[stream], "required"

    def deep_paging_limit(self, stream: str) -> int | None:
        """Records reachable with page numbers (2,000 by default); subform rows have none."""
        return None if stream == "contract_milestones" else self.discrete_limit

    def rows(self, module: ModuleDef) -> list[Record]:
        """Rendered rows of a module or a subform module (for COQL); call with ``lock`` held."""
        if module.generated_type != "subform":
            return [self.org.render(module, r) for r in self.org.records[module.api_name].values()]
        out: list[Record] = []
        for parent_name, parent_module in self.org.modules.items():
            holders = [f.api_name for f in parent_module.fields if f.subform == module.api_name]
            for field in holders:
                for record in self.org.records[parent_name].values():
                    out.extend(self.org.render(parent_module, record)[field])
        return out


def _optional_int(value: int | str | None) -> int | None:
    return None if value in (None, "", "none") else int(value)


def _sample_company(n: int, rng: random.Random) -> Any:
    from connectors.sdk.fakedata import FakeCompany

    return FakeCompany(
        key=f"S{n:05d}",
        name=f"杭州验收{n:05d}号信息科技有限公司",
        alt_name=f"验收{n:05d}号（杭州）信息科技有限公司",
        tax_id=make_uscc(rng, "330100"),
        city="杭州",
        address=f"杭州市滨江区网商路{n + 1}号",
        phone=f"0571-{88000000 + n}",
        email=f"finance.s{n}@example.cn",
        industry="软件和信息技术服务",
        bank_name="招商银行",
        bank_account=str(6225880000000000 + n),
        owner="王磊",
    )


def seed_org(sandbox: ZohoCrmSandbox, universe: Universe) -> None:
    """Render the universe into the org (a helper so the constructor stays short)."""
    seed(
        sandbox.org,
        universe,
        seed=sandbox.seed,
        contracts=sandbox.contracts_module,
        payments=sandbox.payments_module,
    )


__all__ = ["ZohoCrmSandbox"]
