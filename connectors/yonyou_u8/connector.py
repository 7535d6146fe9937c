"""The U8 OpenAPI connector: customers, sales orders, invoices, receivables, receipts.

Adds are asynchronous: the relay answers with a URL to poll for the new code.
Idempotency comes from ``biz_id`` (the hub id: a retried add, in this run or a
later one, names the same document) or, if configured, a ``tradeid`` fetched
once per record and reused on every retry of that add.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from connectors.sdk import (
    Capability,
    CheckResult,
    Connector,
    ConnectorError,
    FieldInfo,
    Incremental,
    MalformedResponse,
    Page,
    Record,
    RecordError,
    RequestStats,
    TransientError,
    VendorError,
    WriteRequest,
    WriteResult,
)
from connectors.sdk.retry import Sleep
from connectors.yonyou_u8.auth import U8TokenAuth
from connectors.yonyou_u8.client import count, parser
from connectors.yonyou_u8.config import YonyouU8Config
from connectors.yonyou_u8.fields import FIELDS
from connectors.yonyou_u8.lines import complete
from connectors.yonyou_u8.streams import OBJECTS, STREAMS, U8Object
from connectors.yonyou_u8.window import DateWindow
from connectors.yonyou_u8.wire import CHINA, dumps, format_stamp, parse_stamp


class YonyouU8Connector(Connector[YonyouU8Config]):
    """U8+ through the U8 OpenAPI cloud relay (api.yonyouup.com)."""

    name: ClassVar[str] = "yonyou-u8"
    title: ClassVar[str] = "Yonyou U8 (OpenAPI)"
    config_model: ClassVar[type[YonyouU8Config]] = YonyouU8Config
    streams: ClassVar[tuple[Any, ...]] = STREAMS
    sandbox: ClassVar[str | None] = "connectors.yonyou_u8.sandbox:YonyouU8Sandbox"

    def __init__(
        self,
        config: YonyouU8Config | Mapping[str, Any],
        *,
        instance: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        super().__init__(config, instance=instance, transport=transport, sleep=sleep)
        self._token_codes = frozenset(self.config.token_error_codes)
        self.auth = U8TokenAuth(
            connector=self.instance,
            base_url=self.config.base_url,
            from_account=self.config.from_account,
            app_key=self.config.app_key,
            app_secret=self.config.app_secret,
            token_codes=self._token_codes,
        )
        self._http = self.http_client(auth=self.auth)
        self._wait = sleep or asyncio.sleep

    @property
    def stats(self) -> RequestStats:
        """Request counters of this instance."""
        return self._http.stats

    # -- plumbing -------------------------------------------------------------------
    def common_params(self) -> dict[str, str]:
        """The account parameters every ``/api`` call carries (the token is added by auth)."""
        params = {
            "from_account": self.config.from_account,
            "to_account": self.config.to_account,
            "app_key": self.config.app_key,
        }
        if self.config.ds_sequence is not None:
            params["ds_sequence"] = str(self.config.ds_sequence)
        return params

    async def _call(
        self,
        method: str,
        path: str,
        params: dict[str, str],
        *,
        body: Any = None,
        empty_ok: bool = False,
        record_level: bool = False,
    ) -> dict[str, Any]:
        parse = parser(
            connector=self.instance,
            token_codes=self._token_codes,
            empty_code=self.config.no_data_code if empty_ok else None,
            record_level=record_level,
        )
        kwargs: dict[str, Any] = {"params": {**self.common_params(), **params}, "parse": parse}
        if body is not None:
            kwargs["content"] = dumps(body)
            kwargs["headers"] = {"Content-Type": "application/json; charset=utf-8"}
        return await self._http.request(method, self.config.base_url + path, **kwargs)

    def _object(self, stream: str, capability: Capability) -> U8Object:
        declared = self.stream(stream)
        self._require(declared, capability)
        return OBJECTS[declared.name]

    def _key_field(self, obj: U8Object) -> str:
        return self.config.voucher_key_field if obj.voucher else self.config.customer_key_field

    # -- verbs ----------------------------------------------------------------------
    async def check(self) -> CheckResult:
        """Fetch a token and list one customer of the configured account."""
        try:
            await self._call(
                "GET",
                "/api/customer/batch_get",
                {"page_index": "1", "rows_per_page": "1"},
                empty_ok=True,
            )
        except ConnectorError as exc:
            return CheckResult(False, f"U8 check failed: {exc.message}", exc.context())
        return CheckResult(
            True,
            f"connected to U8 account {self.config.to_account}",
            {"to_account": self.config.to_account},
        )

    async def _pages(
        self, obj: U8Object, filters: dict[str, str]
    ) -> AsyncIterator[tuple[list[Record], bool]]:
        """Every page of a ``batch_get`` with these filters; paging numbers are strings."""
        page_index, size = 1, self.config.page_size
        path = f"/api/{obj.list_resource}/batch_get"
        while True:
            params = {**filters, "page_index": str(page_index), "rows_per_page": str(size)}
            body = await self._call("GET", path, params, empty_ok=True)
            rows = body.get(obj.list_resource) or []
            if not isinstance(rows, list):
                raise MalformedResponse(
                    f"{path}: {obj.list_resource} is not an array", connector=self.instance
                )
            more = page_index < count(body.get("page_count"))
            yield [r for r in rows if isinstance(r, dict)], more
            if not more:
                return
            page_index += 1

    async def read(self, stream: str, since: Any = None) -> AsyncIterator[Page]:
        """Customers by ``ModifyDate``; documents by a trailing window of document dates."""
        obj = self._object(stream, Capability.READ_FULL)
        key = obj.stream.primary_key
        if obj.modified_field is not None:
            async for page in self._read_modified(obj, key, since):
                yield page
            return
        window = DateWindow.from_state(
            since, window=timedelta(days=self.config.voucher_window_days)
        )
        today = datetime.now(CHINA).date()
        full = window.since is None
        filters = {obj.date_filter: window.since.isoformat()} if window.since else {}
        async for rows, more in self._pages(obj, filters):
            records = []
            for row in rows:
                rid, day = str(row[key]), parse_stamp(str(row[obj.date_field])).date()
                if window.is_new(rid, row):
                    records.append(row)
                window.observe(rid, day, row)
            # Lists come in voucher-number order, not date order: a checkpoint mid-list would
            # move the window past older documents not read yet, so only a finished read moves it.
            yield Page(
                records, None if more else window.checkpoint(today), complete=full and not more
            )

    async def _read_modified(self, obj: U8Object, key: str, since: Any) -> AsyncIterator[Page]:
        state = Incremental.from_state(
            since, overlap=timedelta(seconds=self.config.overlap_seconds)
        )
        started = datetime.now(UTC)
        full = state.since is None
        assert obj.modified_filter is not None
        assert obj.modified_field is not None
        filters = {obj.modified_filter: format_stamp(state.since)} if state.since else {}
        async for rows, more in self._pages(obj, filters):
            records = []
            for row in rows:
                rid, modified = str(row[key]), parse_stamp(str(row[obj.modified_field]))
                if state.is_new(rid, modified):
                    records.append(row)
                state.observe(rid, modified)
            # Lists come in code order: only a finished read may move the watermark.
            yield Page(
                records, None if more else state.checkpoint(started), complete=full and not more
            )

    async def lookup(self, stream: str, external_keys: Sequence[str]) -> dict[str, Record]:
        """Records whose custom item holds these hub ids (one filtered list per key)."""
        obj = self._object(stream, Capability.WRITE)
        field = self._key_field(obj)
        found: dict[str, Record] = {}
        for external_key in dict.fromkeys(external_keys):
            async for rows, _more in self._pages(obj, {field: external_key}):
                for row in rows:
                    if row.get(field) == external_key:
                        found[external_key] = row
        return found

    async def write(self, stream: str, requests: Sequence[WriteRequest]) -> list[WriteResult]:
        """Add new records (async, polled) and edit customers; one result per request."""
        obj = self._object(stream, Capability.WRITE)
        results = []
        for index, request in enumerate(requests):
            try:
                results.append(await self._write_one(obj, index, request))
            except RecordError as exc:
                results.append(
                    WriteResult(index, "failed", error=exc.message, vendor_code=exc.vendor_code)
                )
        return results

    async def _write_one(self, obj: U8Object, index: int, request: WriteRequest) -> WriteResult:
        data = {k: v for k, v in request.data.items() if v is not None}
        data[self._key_field(obj)] = request.external_key
        if not obj.voucher and request.remote_id is None and not data.get("code"):
            # U8 keys customers by code (at most 20 characters): derive one from the hub id.
            data["code"] = (
                "SH" + hashlib.sha256(request.external_key.encode()).hexdigest()[:10].upper()
            )
        if obj.line_rule is not None and request.remote_id is None:
            complete(obj.line_rule, data)
        if request.remote_id is not None:
            if not obj.edit:
                return WriteResult(
                    index,
                    "failed",
                    error=f"U8 OpenAPI cannot edit a saved {obj.resource}; change it in U8",
                )
            data[obj.stream.primary_key] = request.remote_id
            answer = await self._call(
                "POST",
                f"/api/{obj.resource}/edit",
                {},
                body={obj.resource: data},
                record_level=True,
            )
            await self._settle(answer)
            return WriteResult(index, "updated", remote_id=request.remote_id)
        if self.config.idempotency == "tradeid":
            # A trade id lives only as long as this call: across runs, look before adding.
            found = await self.lookup(obj.stream.name, [request.external_key])
            if request.external_key in found:
                existing = found[request.external_key]
                return WriteResult(
                    index, "created", remote_id=str(existing[obj.stream.primary_key])
                )
        params = await self._idempotency_params(request)
        if self.config.synchronous_add:
            params["sync"] = "1"
        answer = await self._call(
            "POST", f"/api/{obj.resource}/add", params, body={obj.resource: data}, record_level=True
        )
        result = await self._settle(answer)
        if result.get("id") in (None, ""):
            raise MalformedResponse(
                f"{obj.resource}/add: the result carries no id", connector=self.instance
            )
        return WriteResult(index, "created", remote_id=str(result["id"]))

    async def _idempotency_params(self, request: WriteRequest) -> dict[str, str]:
        if self.config.idempotency == "biz_id":
            return {"biz_id": request.external_key}
        body = await self._http.request(
            "GET",
            self.config.base_url + "/system/tradeid",
            params={"from_account": self.config.from_account, "app_key": self.config.app_key},
            parse=parser(connector=self.instance, token_codes=self._token_codes),
        )
        trade = body.get("trade")
        if not isinstance(trade, dict) or not trade.get("id"):
            raise MalformedResponse("tradeid answer carries no trade.id", connector=self.instance)
        return {"tradeid": str(trade["id"])}

    async def _settle(self, answer: dict[str, Any]) -> dict[str, Any]:
        """The final result of an add or edit: inline, or polled from the URL it answered with."""
        url = answer.get("url")
        if not url or answer.get("id"):
            return answer
        self._check_result_url(str(url))
        for _attempt in range(self.config.poll_attempts):
            await self._wait(self.config.poll_interval)
            result = await self._http.request(
                "GET",
                str(url),
                auth=None,
                parse=parser(
                    connector=self.instance, token_codes=self._token_codes, record_level=True
                ),
            )
            if result.get("id") not in (None, "") or result.get("status") != "processing":
                return result
        raise TransientError(
            f"add result not ready after {self.config.poll_attempts} polls",
            connector=self.instance,
            endpoint=str(url),
        )

    def _check_result_url(self, url: str) -> None:
        """Follow a result URL only on the relay's own host (nothing else is polled)."""
        parts, base = urlsplit(url), urlsplit(self.config.base_url)
        if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
            raise VendorError(
                f"add answered with a result URL on another host: {parts.netloc}",
                connector=self.instance,
            )

    async def discover(self) -> dict[str, list[FieldInfo]]:
        """The fields each stream's records carry, as declared in ``fields.py``."""
        return {name: list(FIELDS.get(name, ())) for name in OBJECTS}

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()
