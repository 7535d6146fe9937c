"""The YonBIP / YonSuite connector: customers, sales orders, invoices, receivables, receipts.

Routing (data-centre discovery or explicit URLs), the signed token, the two
success codes and the error table live in their own modules; this class wires
them to the SDK's verbs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import httpx

from connectors.sdk import (
    Capability,
    CheckResult,
    ConfigError,
    Connector,
    ConnectorError,
    FieldInfo,
    HttpClient,
    Incremental,
    Page,
    Record,
    RecordError,
    RequestStats,
    TransientError,
    WriteRequest,
    WriteResult,
)
from connectors.sdk.retry import Sleep
from connectors.yonyou_bip.auth import BipTokenAuth, Clock
from connectors.yonyou_bip.client import auth_parser, business_parser
from connectors.yonyou_bip.config import YonyouBipConfig, check_base_url
from connectors.yonyou_bip.fields import FIELDS
from connectors.yonyou_bip.reading import list_body, lookup_body, rows_of
from connectors.yonyou_bip.streams import OBJECTS, STREAMS, BipObject
from connectors.yonyou_bip.wire import dumps, parse_stamp
from connectors.yonyou_bip.writing import batch_results, default_customer_code, prepare, saved_id

DISCOVERY_PATH = "/open-auth/dataCenter/getGatewayAddress"
BATCH_ATTEMPTS = 3


class YonyouBipConnector(Connector[YonyouBipConfig]):
    """YonBIP / YonSuite public cloud through the open platform's self-built app."""

    name: ClassVar[str] = "yonyou-bip"
    title: ClassVar[str] = "Yonyou YonBIP / YonSuite"
    config_model: ClassVar[type[YonyouBipConfig]] = YonyouBipConfig
    streams: ClassVar[tuple[Any, ...]] = STREAMS
    sandbox: ClassVar[str | None] = "connectors.yonyou_bip.sandbox:YonyouBipSandbox"

    def __init__(
        self,
        config: YonyouBipConfig | Mapping[str, Any],
        *,
        instance: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(config, instance=instance, transport=transport, sleep=sleep)
        self._token_url = self.config.token_url
        self._gateway_url = self.config.gateway_url
        kwargs = {"clock": clock} if clock is not None else {}
        self.auth = BipTokenAuth(
            connector=self.instance,
            token_url=self._require_token_url,
            path=self.config.token_endpoint_path,
            app_key=self.config.app_key,
            app_secret=self.config.app_secret,
            **kwargs,
        )
        self._http = self.http_client(auth=self.auth)
        once = self.config.http.model_copy(update={"max_attempts": 1})
        self._http_once = HttpClient(
            connector=self.instance,
            options=once,
            auth=self.auth,
            transport=transport,
            sleep=sleep or asyncio.sleep,
        )
        self._limit_codes = frozenset(self.config.rate_limit_codes)

    # -- plumbing -------------------------------------------------------------------
    @property
    def stats(self) -> RequestStats:
        """Request counters of this instance (both clients)."""
        main, once = self._http.stats, self._http_once.stats
        total = RequestStats(
            requests=main.requests + once.requests,
            retries=main.retries + once.retries,
            rate_limited=main.rate_limited + once.rate_limited,
            errors=main.errors + once.errors,
            bytes_received=main.bytes_received + once.bytes_received,
            seconds=main.seconds + once.seconds,
        )
        total.by_status.update(main.by_status)
        total.by_status.update(once.by_status)
        return total

    def _require_token_url(self) -> str:
        if self._token_url is None:
            raise ConfigError("token URL not resolved yet", connector=self.instance)
        return self._token_url

    async def _resolve(self) -> str:
        """The gateway URL, discovering the tenant's data centre on first use."""
        if self._gateway_url is not None:
            return self._gateway_url
        url = self.config.discovery_url + DISCOVERY_PATH
        data = await self._http.request(
            "GET",
            url,
            params={"tenantId": self.config.tenant_id},
            auth=None,
            parse=auth_parser(connector=self.instance),
        )
        if not isinstance(data, dict) or not data.get("gatewayUrl") or not data.get("tokenUrl"):
            raise ConfigError(
                f"data-centre discovery for tenant {self.config.tenant_id!r} gave no URLs",
                connector=self.instance,
            )
        try:
            self._token_url = check_base_url(str(data["tokenUrl"]))
            self._gateway_url = check_base_url(str(data["gatewayUrl"]))
        except ValueError as exc:
            raise ConfigError(
                f"discovered URL is unusable: {exc}", connector=self.instance
            ) from None
        assert self._gateway_url is not None
        return self._gateway_url

    async def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
        record_level: bool = False,
        accept_replay: bool = False,
        once: bool = False,
    ) -> Any:
        gateway = await self._resolve()
        parse = business_parser(
            connector=self.instance,
            rate_limit_codes=self._limit_codes,
            rate_limit_wait=self.config.rate_limit_wait,
            record_level=record_level,
            accept_replay=accept_replay,
        )
        kwargs: dict[str, Any] = {"params": params or {}, "parse": parse}
        if body is not None:
            kwargs["content"] = dumps(body)
            kwargs["headers"] = {"Content-Type": "application/json; charset=utf-8"}
        client = self._http_once if once else self._http
        return await client.request(method, gateway + path, **kwargs)

    def _object(self, stream: str, capability: Capability) -> BipObject:
        declared = self.stream(stream)
        self._require(declared, capability)
        return OBJECTS[declared.name]

    # -- verbs ----------------------------------------------------------------------
    async def check(self) -> CheckResult:
        """Discover the data centre, fetch a token and read one customer."""
        try:
            gateway = await self._resolve()
            await self._call(
                "POST",
                OBJECTS["customers"].list_path,
                body=list_body(OBJECTS["customers"], 1, 1, None),
            )
        except ConnectorError as exc:
            return CheckResult(False, f"YonBIP check failed: {exc.message}", exc.context())
        return CheckResult(True, f"connected to YonBIP gateway {gateway}", {"gateway_url": gateway})

    async def read(self, stream: str, since: Any = None) -> AsyncIterator[Page]:
        """Pages of records modified at or after the cursor's ``pubts`` (minus the overlap)."""
        obj = self._object(stream, Capability.READ_FULL)
        state = Incremental.from_state(
            since, overlap=timedelta(seconds=self.config.overlap_seconds)
        )
        started = datetime.now(UTC)
        full, size, page_index = state.since is None, self.config.page_size, 1
        while True:
            data = await self._call(
                "POST", obj.list_path, body=list_body(obj, page_index, size, state.since)
            )
            rows, more = rows_of(obj, data, page_index, size)
            rows = await self._with_details(obj, rows)
            records = []
            for row in rows:
                rid, modified = str(row["id"]), parse_stamp(str(row["pubts"]))
                if state.is_new(rid, modified):
                    records.append(row)
                state.observe(rid, modified)
            # newlist is not ordered by pubts: only a finished read may move the watermark.
            safe = not more or obj.list_style == "envelope"
            cursor = state.checkpoint(started) if safe else None
            yield Page(records, cursor, complete=full and not more)
            if not more:
                return
            page_index += 1

    async def _with_details(self, obj: BipObject, rows: list[Record]) -> list[Record]:
        """Rows completed with their child tables (customers' newlist has none)."""
        if obj.batch_detail_path is None or not rows:
            return rows
        data = await self._call(
            "POST", obj.batch_detail_path, body=[{"id": row["id"]} for row in rows]
        )
        details = {str(d["id"]): d for d in data or [] if isinstance(d, dict) and "id" in d}
        return [{**details.get(str(row["id"]), {}), **row} for row in rows]

    async def lookup(self, stream: str, external_keys: Sequence[str]) -> dict[str, Record]:
        """Records carrying these hub ids in the external-key field, by key."""
        obj = self._object(stream, Capability.WRITE)
        field, size = self.config.external_key_field, self.config.page_size
        found: dict[str, Record] = {}
        wanted = list(dict.fromkeys(external_keys))
        for start in range(0, len(wanted), size):
            chunk, page_index = wanted[start : start + size], 1
            while True:
                data = await self._call(
                    "POST", obj.lookup_path, body=lookup_body(field, chunk, page_index, size)
                )
                rows, more = rows_of(obj, data, page_index, size, style="envelope")
                for row in rows:
                    key = row.get(field)
                    if key in chunk:
                        found[str(key)] = row
                if not more:
                    break
                page_index += 1
        return found

    async def write(self, stream: str, requests: Sequence[WriteRequest]) -> list[WriteResult]:
        """Save each record; MDD saves carry a resubmit key, receivables go in batches."""
        obj = self._object(stream, Capability.WRITE)
        if obj.batch_create:
            return await self._write_batches(obj, requests)
        return [await self._save_one(obj, index, request) for index, request in enumerate(requests)]

    def _defaults(self, obj: BipObject, request: WriteRequest) -> dict[str, Any]:
        if obj.stream.name == "customers" and request.remote_id is None:
            return {
                "code": default_customer_code(request.external_key),
                "createOrgCode": self.config.org_code,
                "customerClassCode": self.config.customer_class_code,
            }
        return {}

    async def _current(self, obj: BipObject, request: WriteRequest) -> dict[str, Any] | None:
        """The stored document an update replaces (for its row ids); ``None`` for creates."""
        if request.remote_id is None or not obj.lines:
            return None
        current = await self._call(
            "GET", obj.detail_path, params={"id": request.remote_id}, record_level=True
        )
        return current if isinstance(current, dict) else None

    async def _save_one(self, obj: BipObject, index: int, request: WriteRequest) -> WriteResult:
        try:
            current = await self._current(obj, request)
        except RecordError as exc:
            return WriteResult(index, "failed", error=exc.message, vendor_code=exc.vendor_code)
        data = prepare(
            obj,
            request,
            external_key_field=self.config.external_key_field,
            defaults=self._defaults(obj, request),
            idempotent=True,
            current=current,
        )
        path = obj.update_path if request.remote_id else obj.create_path
        try:
            answer = await self._call(
                "POST", path, body={"data": data}, record_level=True, accept_replay=True
            )
        except RecordError as exc:
            return WriteResult(index, "failed", error=exc.message, vendor_code=exc.vendor_code)
        remote_id, record = saved_id(answer, path)
        return WriteResult(
            index, "updated" if request.remote_id else "created", remote_id=remote_id, record=record
        )

    async def _write_batches(
        self, obj: BipObject, requests: Sequence[WriteRequest]
    ) -> list[WriteResult]:
        results: dict[int, WriteResult] = {}
        pending = list(enumerate(requests))
        size = obj.stream.write_batch_size
        for start in range(0, len(pending), size):
            for result in await self._save_batch(obj, pending[start : start + size]):
                results[result.index] = result
        return [results[i] for i in range(len(requests))]

    async def _save_batch(
        self, obj: BipObject, batch: list[tuple[int, WriteRequest]]
    ) -> list[WriteResult]:
        """A non-idempotent batch: never resend blindly; after a lost answer, look first."""
        field = self.config.external_key_field
        done: list[WriteResult] = []
        for attempt in range(1, BATCH_ATTEMPTS + 1):
            rows = [prepare(obj, r, external_key_field=field, idempotent=False) for _, r in batch]
            try:
                data = await self._call("POST", obj.create_path, body={"data": rows}, once=True)
            except TransientError:
                if attempt == BATCH_ATTEMPTS:
                    raise
                found = await self.lookup(
                    obj.stream.name, [r.external_key for _, r in batch if r.remote_id is None]
                )
                for index, request in batch:
                    row = found.get(request.external_key)
                    if row is not None:
                        done.append(
                            WriteResult(index, "created", remote_id=str(row["id"]), record=row)
                        )
                batch = [
                    (i, r)
                    for i, r in batch
                    if r.remote_id is not None or r.external_key not in found
                ]
                if not batch:
                    break
                continue
            done.extend(batch_results(batch, data, external_key_field=field, path=obj.create_path))
            break
        return done

    async def discover(self) -> dict[str, list[FieldInfo]]:
        """The fields each stream's records carry, as declared in ``fields.py``."""
        return {name: list(FIELDS.get(name, ())) for name in OBJECTS}

    async def aclose(self) -> None:
        """Close both HTTP clients."""
        await self._http.aclose()
        await self._http_once.aclose()
