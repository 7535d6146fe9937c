"""The Kingdee K/3 Cloud connector: read, write, look up, check, discover.

Reads: ``ExecuteBillQuery`` ordered ``FModifyDate ASC, <id> ASC, <entry id> ASC``,
``FModifyDate >= watermark - overlap`` on incremental reads, then keyset pages
(rows strictly after the last record handed on), so edits during a read cannot
shift a page boundary and skip a record; ``Incremental`` drops what was already
read at the same modification time.

Writes: ``BatchSave`` in batches; every request's outcome is read from
``SuccessEntitys`` / ``Errors`` by ``DIndex``. Creates are sent once and, if the
outcome is unknown (timeout, reset, server exception), reconciled by looking
the external keys up before anything is re-sent, so a retry cannot duplicate.
Updates resolve numbers to internal ids first (one query per batch) and re-open
submitted/audited records by policy. With ``auto_audit`` (and for re-opened
records) Submit and Audit follow; a record the server silently skipped is found
by comparing with ``SuccessEntitys`` and checking its status.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from connectors.kingdee import records as rec
from connectors.kingdee.auth import SessionAuth, SignedAuth
from connectors.kingdee.client import KingdeeClient
from connectors.kingdee.config import KingdeeConfig
from connectors.kingdee.enrich import INVOICE_STREAMS, attach_due_dates
from connectors.kingdee.signing import SigningIdentity
from connectors.kingdee.streams import FormSpec, declare_streams, resolve_forms
from connectors.kingdee.writing import Batch
from connectors.sdk import (
    AuthError,
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
    RequestStats,
    VendorError,
    WriteRequest,
    WriteResult,
)
from connectors.sdk.retry import Sleep

LOOKUP_CHUNK = 100


class KingdeeConnector(Connector[KingdeeConfig]):
    """Kingdee K/3 Cloud (金蝶云星空) through its WebAPI; see docs/connectors/kingdee.md."""

    name = "kingdee"
    title = "Kingdee K/3 Cloud"
    config_model = KingdeeConfig
    streams = declare_streams()
    sandbox = "connectors.kingdee.sandbox:KingdeeSandbox"

    def __init__(
        self,
        config: KingdeeConfig | Mapping[str, Any],
        *,
        instance: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        clock: Any = None,
    ) -> None:
        super().__init__(config, instance=instance, transport=transport, sleep=sleep)
        cfg = self.config
        self.forms = resolve_forms(cfg.contract_form, cfg.invoice_normal_entry)
        self.auth: SignedAuth | SessionAuth = self._make_auth(clock)
        self.http = self.http_client(auth=self.auth)
        once = HttpClient(
            connector=self.instance,
            options=cfg.http.model_copy(update={"max_attempts": 1}),
            auth=self.auth,
            transport=transport,
            limiter=self.http.limiter,
            sleep=sleep or asyncio.sleep,
        )
        once.stats = self.http.stats  # one set of counters per instance
        self._once = once
        self.client = KingdeeClient(self.http, cfg.base_url, writes=once)
        self.wait: Sleep = sleep or asyncio.sleep

    def _make_auth(self, clock: Any) -> SignedAuth | SessionAuth:
        cfg = self.config
        if cfg.auth == "signed":
            identity = SigningIdentity(
                acct_id=cfg.acct_id,
                user_name=cfg.user_name,
                app_id=cfg.app_id or "",
                app_secret=cfg.app_secret.get_secret_value() if cfg.app_secret else "",
                lcid=cfg.lcid,
                org_num=cfg.org_num,
                sec_code=cfg.sec_code.get_secret_value() if cfg.sec_code else None,
            )
            kwargs = {"clock": clock} if clock is not None else {}
            return SignedAuth(identity, connector=self.instance, **kwargs)

        def parameters() -> list[Any]:
            if cfg.login == "password":
                secret = cfg.password.get_secret_value() if cfg.password else ""
                return [cfg.acct_id, cfg.user_name, secret, cfg.lcid]
            app_secret = cfg.app_secret.get_secret_value() if cfg.app_secret else ""
            return [cfg.acct_id, cfg.user_name, cfg.app_id, app_secret, cfg.lcid]

        return SessionAuth(
            base_url=cfg.base_url, method=cfg.login, parameters=parameters, connector=self.instance
        )

    @property
    def stats(self) -> RequestStats:
        """Request counters of this instance (reads and writes together)."""
        return self.http.stats

    async def aclose(self) -> None:
        """Close both HTTP clients."""
        await self.http.aclose()
        await self._once.aclose()

    # -- check / discover ---------------------------------------------------------------
    async def check(self) -> CheckResult:
        """One tiny customer query: proves the URL, the data centre and the credentials."""
        try:
            await self.client.query(
                {"FormId": "BD_Customer", "FieldKeys": "FNumber", "TopRowCount": 1, "Limit": 1}
            )
        except AuthError as exc:
            hint = (
                "check acct_id"
                if "passport" in exc.message
                else "check user_name, app_id, app_secret/password and lcid, and that the user is "
                "listed on the third-party login authorisation"
            )
            return CheckResult(False, f"Kingdee refused the credentials: {exc.message} ({hint})")
        except ConnectorError as exc:
            return CheckResult(
                False, f"Kingdee is not reachable or refused the call: {exc.message}"
            )
        cfg = self.config
        return CheckResult(
            True,
            f"connected to data centre {cfg.acct_id} as {cfg.user_name} ({cfg.auth} auth)",
            {"base_url": cfg.base_url, "auth": cfg.auth},
        )

    async def discover(self) -> dict[str, list[FieldInfo]]:
        """Field keys per stream: what the connector reads, plus what QueryBusinessInfo lists."""
        result: dict[str, list[FieldInfo]] = {}
        for name, spec in self.forms.items():
            fields = {k: FieldInfo(k, "unknown") for k in self._keys(spec)}
            try:
                info = await self.client.business_info(spec.form_id)
            except VendorError:
                info = None
            fields.update((item.name, item) for item in _metadata_fields(info))
            result[name] = list(fields.values())
        return result

    # -- read -----------------------------------------------------------------------------
    def _spec(self, stream: str) -> FormSpec:
        self.stream(stream)
        return self.forms[stream]

    def _keys(self, spec: FormSpec) -> list[str]:
        extra = (self.config.external_key_field,) if self.config.external_key_field else ()
        return spec.query_keys(extra)

    async def read(self, stream: str, since: Any = None) -> AsyncIterator[Page]:
        """Pages of records modified at or after the cursor (everything when ``since`` is None)."""
        spec = self._spec(stream)
        run_start = datetime.now(UTC)
        try:
            state = Incremental.from_state(
                since, overlap=timedelta(seconds=self.config.overlap_seconds)
            )
        except ValueError as exc:
            raise ConfigError(str(exc), connector=self.instance, stream=stream) from None
        full = state.value is None
        base = (
            ""
            if state.since is None
            else f"{spec.modify_key} >= {rec.quote(rec.filter_time(state.since))}"
        )
        position: tuple[datetime | None, Any] | None = None
        while True:
            keyset = "" if position is None else rec.after(spec, *position)
            bills, done = await self._fetch(spec, rec.both(base, keyset))
            if not done and not bills:
                raise VendorError(
                    f"{spec.form_id}: the server returned a full page but no complete record "
                    f"after {position}; refusing to loop",
                    connector=self.instance,
                    stream=stream,
                )
            if position is not None and bills and not _after(bills[0], spec, position):
                raise VendorError(
                    f"{spec.form_id}: the server answered rows before {position} "
                    "(filter ignored?); refusing to loop",
                    connector=self.instance,
                    stream=stream,
                )
            page: list[Record] = []
            for bill in bills:
                modified = bill[spec.modify_key]
                rid = str(bill[spec.id_key])
                position = (modified, bill[spec.id_key])
                if modified is None:
                    page.append(bill)  # never stamped: only full reads see it, always passed on
                elif state.is_new(rid, modified):
                    page.append(bill)
                    state.observe(rid, modified)
            if stream in INVOICE_STREAMS:
                await attach_due_dates(self.client, page, spec.entry_key)
            yield Page(page, cursor=state.checkpoint(run_start), complete=done and full)
            if done:
                return

    async def _fetch(self, spec: FormSpec, filter_string: str) -> tuple[list[Record], bool]:
        """Complete records of the next window; ``done`` when the server has no more rows."""
        keys = self._keys(spec)
        order = f"{spec.modify_key} ASC, {spec.id_key} ASC"
        if spec.entry_key:
            order += f", {spec.entry_id_key} ASC"
        limit = self.config.page_size
        data = {
            "FormId": spec.form_id,
            "FieldKeys": ",".join(keys),
            "FilterString": filter_string,
            "OrderString": order,
            "TopRowCount": 0,
            "StartRow": 0,
            "Limit": limit,
        }
        rows = await self.client.query(data)
        if len(rows) < limit:
            return rec.group_rows(spec, keys, rows), True
        if rows[0][0] != rows[-1][0]:
            last = rows[-1][0]
            complete = [r for r in rows if r[0] != last]  # the last record may go on
            return rec.group_rows(spec, keys, complete), False
        # One record's lines fill the page: read on by offset until its lines end.
        start = limit
        while True:
            more = await self.client.query({**data, "StartRow": start})
            rows += [r for r in more if r[0] == rows[0][0]]
            if len(more) < limit or (more and more[-1][0] != rows[0][0]):
                break
            start += limit
        return rec.group_rows(spec, keys, rows), False

    # -- lookup ---------------------------------------------------------------------------
    async def lookup(self, stream: str, external_keys: Sequence[str]) -> dict[str, Record]:
        """Records carrying these hub ids (extension field, or the number in number mode)."""
        spec = self._spec(stream)
        field = self.config.external_key_field or spec.number_key
        keys = self._keys(spec)
        found: dict[str, Record] = {}
        wanted = list(dict.fromkeys(k for k in external_keys if k))
        for chunk in _chunks(wanted, LOOKUP_CHUNK):
            bills = await self._query_all(spec, keys, rec.in_list(field, chunk))
            for bill in bills:
                key = bill.get(field)
                if isinstance(key, str) and key in chunk:
                    found[key] = bill
        return found

    async def _query_all(self, spec: FormSpec, keys: list[str], filter_string: str) -> list[Record]:
        """Every record matching ``filter_string`` (offset paging: small, bounded sets)."""
        rows: list[list[Any]] = []
        limit = self.config.page_size
        order = f"{spec.id_key} ASC" + (f", {spec.entry_id_key} ASC" if spec.entry_key else "")
        while True:
            page = await self.client.query(
                {
                    "FormId": spec.form_id,
                    "FieldKeys": ",".join(keys),
                    "FilterString": filter_string,
                    "OrderString": order,
                    "TopRowCount": 0,
                    "StartRow": len(rows),
                    "Limit": limit,
                }
            )
            rows += page
            if len(page) < limit:
                return rec.group_rows(spec, keys, rows)

    async def document_statuses(
        self, spec: FormSpec, numbers: Sequence[str]
    ) -> dict[str, tuple[Any, str]]:
        """Number -> (internal id, FDocumentStatus), one query per chunk."""
        out: dict[str, tuple[Any, str]] = {}
        keys = [spec.id_key, spec.number_key, "FDocumentStatus"]
        for chunk in _chunks(list(dict.fromkeys(numbers)), LOOKUP_CHUNK):
            rows = await self.client.query(
                {
                    "FormId": spec.form_id,
                    "FieldKeys": ",".join(keys),
                    "FilterString": rec.in_list(spec.number_key, chunk),
                    "Limit": self.config.page_size,
                }
            )
            for row in rows:
                out[str(row[1])] = (row[0], str(row[2]))
        return out

    # -- write ----------------------------------------------------------------------------
    async def write(self, stream: str, requests: Sequence[WriteRequest]) -> list[WriteResult]:
        """Create or update in BatchSave batches; one result per request, in order."""
        spec = self._spec(stream)
        self._require(self.stream(stream), Capability.WRITE)
        results: dict[int, WriteResult] = {}
        size = self.config.batch_size
        for start in range(0, len(requests), size):
            batch = dict(enumerate(requests[start : start + size], start))
            await Batch(self, stream, spec, batch, results).run()
        return [results[i] for i in range(len(requests))]


def _after(record: Record, spec: FormSpec, position: tuple[datetime | None, Any]) -> bool:
    """Whether ``record`` sorts strictly after ``position`` (NULL modify dates first)."""
    modified, record_id = record[spec.modify_key], record[spec.id_key]
    before, before_id = position
    if modified is None and before is None:
        return bool(record_id > before_id)
    if modified is None or before is None:
        return before is None  # stamped records follow the unstamped ones
    return bool((modified, record_id) > (before, before_id))


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _metadata_fields(info: Any) -> list[FieldInfo]:
    """Field infos from a QueryBusinessInfo reply (its shape varies; unknown shapes give none)."""
    block = info.get("Result") if isinstance(info, dict) else None
    need = block.get("NeedReturnData") if isinstance(block, dict) else None
    entrys = need.get("Entrys") if isinstance(need, dict) else None
    out: list[FieldInfo] = []
    for entity in entrys if isinstance(entrys, list) else []:
        for item in entity.get("Fields") or [] if isinstance(entity, dict) else []:
            if not isinstance(item, dict) or not item.get("Key"):
                continue
            names = item.get("Name")
            label = (
                names[0].get("Value", "")
                if isinstance(names, list) and names and isinstance(names[0], dict)
                else ""
            )
            out.append(
                FieldInfo(
                    str(item["Key"]),
                    str(item.get("FieldType") or "unknown"),
                    label=str(label or ""),
                    required=bool(item.get("MustInput")),
                    read_only=bool(item.get("IsReadOnly")),
                    reference=item.get("LookUpObjectFormId"),
                )
            )
    return out
