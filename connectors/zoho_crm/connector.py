"""The Zoho CRM connector over the v8 REST API.

Accounts, contacts, contracts and their milestones, invoices and payments are
read and written; deals are read only. Reading, writing and subform handling
live in their own modules; this class wires them to the SDK contract.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import httpx

from connectors.sdk import (
    AuthError,
    Capability,
    CheckResult,
    Connector,
    ConnectorError,
    FieldInfo,
    Page,
    Record,
    RequestStats,
    WriteRequest,
    WriteResult,
)
from connectors.sdk.retry import Sleep
from connectors.zoho_crm.auth import ZohoOAuth
from connectors.zoho_crm.client import ZohoApi
from connectors.zoho_crm.config import ZohoCrmConfig
from connectors.zoho_crm.products import ProductResolver
from connectors.zoho_crm.reading import ModuleReader, deleted_pages, fetch_details, subform_rows
from connectors.zoho_crm.streams import FIELDS, STREAMS, module_spec
from connectors.zoho_crm.subforms import SubformWriter
from connectors.zoho_crm.writing import ModuleWriter, as_dict

COQL_IN_LIMIT = 50
"""Values per COQL ``in (...)`` clause: the pre-v7 cap, safe on every version."""


LINE_ITEMS = {
    "Invoices": "Invoiced_Items",
    "Sales_Orders": "Ordered_Items",
    "Quotes": "Quoted_Items",
}
"""Inventory modules and their line-item subform."""


class ZohoCrmConnector(Connector[ZohoCrmConfig]):
    """Zoho CRM (any data centre, China included) through a self-client's refresh token."""

    name = "zoho-crm"
    title = "Zoho CRM"
    config_model = ZohoCrmConfig
    streams = STREAMS
    sandbox = "connectors.zoho_crm.sandbox:ZohoCrmSandbox"

    def __init__(
        self,
        config: ZohoCrmConfig | Mapping[str, Any],
        *,
        instance: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        super().__init__(config, instance=instance, transport=transport, sleep=sleep)
        cfg = self.config
        self.auth = ZohoOAuth(
            token_url=cfg.token_url,
            client_id=cfg.client_id,
            client_secret=cfg.client_secret,
            refresh_token=cfg.refresh_token,
            default_api_domain=cfg.default_api_domain,
            connector=self.instance,
        )
        self.http = self.http_client(base_url=cfg.default_api_domain, auth=self.auth)
        self.api = ZohoApi(self.http, self.auth, version=cfg.api_version, connector=self.instance)
        self.products = ProductResolver(self.api)

    @property
    def stats(self) -> RequestStats:
        """Request counters of this instance."""
        return self.http.stats

    async def check(self) -> CheckResult:
        """Mint a token, then make sure every module (and its key field) the streams need exists."""
        try:
            await self.api.ensure_token()
            org = await self.api.call("GET", self.api.path("org"))
            modules = await self.api.call("GET", self.api.path("settings", "modules"))
            missing = self._missing_modules(modules)
            if not missing:
                missing = await self._missing_key_fields()
        except AuthError as exc:
            return CheckResult(False, f"Zoho CRM rejected the credentials: {exc.message}")
        except ConnectorError as exc:
            return CheckResult(False, f"Zoho CRM could not be checked: {exc}")
        name = _org_name(org)
        if missing:
            return CheckResult(False, f"connected to {name}, but {'; '.join(missing)}")
        return CheckResult(
            True,
            f"connected to {name} ({self.config.data_centre} data centre, {self.auth.api_domain})",
            {"api_domain": self.auth.api_domain, "org": name},
        )

    def _writable_modules(self) -> dict[str, str]:
        return {
            s.name: module_spec(s.name, self.config).module
            for s in STREAMS
            if s.can(Capability.WRITE) and not s.parent_stream
        }

    def _missing_modules(self, body: Any) -> list[str]:
        listed = body.get("modules") if isinstance(body, dict) else None
        names = {
            m.get("api_name")
            for m in listed or []
            if isinstance(m, dict) and m.get("api_supported", True)
        }
        needed = {module_spec(s.name, self.config).module for s in STREAMS}
        return [f"module {m!r} is missing or not API-enabled" for m in sorted(needed - names)]

    async def _missing_key_fields(self) -> list[str]:
        missing = []
        key = self.config.external_key_field
        for module in sorted(set(self._writable_modules().values())):
            fields = await self._fields(module)
            if not any(f.name == key for f in fields):
                missing.append(f"module {module!r} has no {key!r} field (a unique text field)")
        return missing

    async def read(self, stream: str, since: Any = None) -> AsyncIterator[Page]:
        """Pages of the stream's records after cursor ``since`` (see ``reading``)."""
        declared = self.stream(stream)
        self._require(declared, Capability.READ_FULL)
        spec = module_spec(stream, self.config)

        async def expand(records: list[Record]) -> list[Record]:
            if not spec.detail:
                return records
            detailed = await fetch_details(self.api, spec.module, records)
            return subform_rows(detailed, spec.subform) if spec.subform else detailed

        reader = ModuleReader(
            self.api, spec, page_size=self.config.page_size, stream=stream, expand=expand
        )
        async for page in reader.pages(since):
            yield page

    async def read_deleted(self, stream: str, since: Any = None) -> AsyncIterator[Page]:
        """Tombstones (id, deleted_time, type) from the module's deleted-records list."""
        self._require(self.stream(stream), Capability.READ_DELETED)
        module = module_spec(stream, self.config).module
        async for page in deleted_pages(self.api, module, since, page_size=self.config.page_size):
            yield page

    async def write(self, stream: str, requests: Sequence[WriteRequest]) -> list[WriteResult]:
        """Upsert creates by the hub id, update the rest by id; one result per request."""
        declared = self.stream(stream)
        self._require(declared, Capability.WRITE)
        spec = module_spec(stream, self.config)
        key, triggers = self.config.external_key_field, self.config.triggers
        if spec.subform:
            writer: SubformWriter | ModuleWriter = SubformWriter(
                self.api, spec.module, spec.subform, key_field=key, triggers=triggers
            )
        else:
            writer = ModuleWriter(self.api, spec.module, key_field=key, triggers=triggers)
        if spec.module in LINE_ITEMS:
            requests = await self.products.resolve(requests, LINE_ITEMS[spec.module])
        return await writer.write(requests)

    async def lookup(self, stream: str, external_keys: Sequence[str]) -> dict[str, Record]:
        """Records carrying these hub ids, found with COQL (fresh, unlike the search index)."""
        self._require(self.stream(stream), Capability.WRITE)
        spec = module_spec(stream, self.config)
        module = spec.subform_module or spec.module
        key = self.config.external_key_field
        fields = [f for f in FIELDS[stream] if f != key][:48]
        found: dict[str, Record] = {}
        keys = list(dict.fromkeys(external_keys))
        for start in range(0, len(keys), COQL_IN_LIMIT):
            chunk = keys[start : start + COQL_IN_LIMIT]
            values = ", ".join(_coql_string(k) for k in chunk)
            # COQL, not SQL, and every value is quoted and escaped by _coql_string.
            query = f"select {', '.join(['id', key, *fields])} from {module} "  # noqa: S608
            query += f"where {key} in ({values}) limit 0, {COQL_IN_LIMIT * 2}"
            body = await self.api.call("POST", self.api.path("coql"), body={"select_query": query})
            for record in (body or {}).get("data") or []:
                if isinstance(record, dict) and record.get(key) in chunk:
                    found[str(record[key])] = record
        return found

    async def discover(self) -> dict[str, list[FieldInfo]]:
        """Each stream's fields from ``/settings/fields``."""
        result: dict[str, list[FieldInfo]] = {}
        for stream in STREAMS:
            spec = module_spec(stream.name, self.config)
            result[stream.name] = await self._fields(spec.subform_module or spec.module)
        return result

    async def _fields(self, module: str) -> list[FieldInfo]:
        body = await self.api.call(
            "GET", self.api.path("settings", "fields"), params={"module": module}
        )
        return [_field_info(f) for f in (body or {}).get("fields") or [] if isinstance(f, dict)]

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self.http.aclose()


def _coql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _org_name(body: Any) -> str:
    orgs = body.get("org") if isinstance(body, dict) else None
    if isinstance(orgs, list) and orgs and isinstance(orgs[0], dict):
        return f"org {orgs[0].get('company_name') or orgs[0].get('id')!r}"
    return "the org"


def _field_info(meta: dict[str, Any]) -> FieldInfo:
    module = as_dict(as_dict(meta.get("lookup")).get("module"))
    subform = as_dict(meta.get("associated_module"))
    return FieldInfo(
        name=str(meta.get("api_name")),
        type=str(meta.get("data_type") or meta.get("json_type") or "unknown"),
        label=str(meta.get("display_label") or meta.get("field_label") or ""),
        required=bool(meta.get("system_mandatory")),
        read_only=bool(meta.get("read_only")),
        options=tuple(
            str(p.get("actual_value"))
            for p in meta.get("pick_list_values") or []
            if isinstance(p, dict)
        ),
        reference=module.get("api_name") or subform.get("module"),
    )
