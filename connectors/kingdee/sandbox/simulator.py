"""``KingdeeSandbox``: the K/3 Cloud simulator's state, switches and control hooks."""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass, fields
from decimal import Decimal
from random import Random
from typing import Any, ClassVar, Literal

from connectors.kingdee.protocol import CALL_LIMIT_MESSAGE, RESPONSE_ERROR_PREFIX, MsgCode
from connectors.kingdee.sandbox import wire
from connectors.kingdee.sandbox.forms import BASE_DATA, FORMS, Form, with_extension
from connectors.kingdee.sandbox.query import base_lookup, render
from connectors.kingdee.sandbox.seed import Seeder
from connectors.kingdee.sandbox.server import CallWindow, KingdeeApi
from connectors.kingdee.sandbox.sessions import Account, Sessions
from connectors.kingdee.sandbox.store import Bill, SaveOptions, Store, Table
from connectors.sdk.cn import make_uscc
from connectors.sdk.fakedata import Universe, build_universe
from connectors.sdk.sandbox import ASGIApp, Sandbox

STREAM_FORMS = {
    "customers": "BD_Customer",
    "contracts": "SAL_SaleOrder",
    "invoices_special": "IV_SALESIC",
    "invoices_normal": "IV_SALESOC",
    "receivables": "AR_receivable",
    "payments": "AR_RECEIVEBILL",
}
"""Connector stream name -> form, so the control hooks speak the connector's names."""

ACCOUNT = Account(
    acct_id="66f0a1b2c3d4e5",
    user_name="synchub",
    password="Kingdee@2024",
    app_id="312345_Q4pg7N3L0v5A4J9x9+A7z1dHkFkgBGp+",
    app_secret="9b2c4e6a8d0f1e3c5a7b9d1f3e5a7c90",
)


@dataclass(frozen=True, slots=True)
class KingdeeOptions:
    """Vendor switches (pass them as keyword arguments to the constructor)."""

    auth_style: Literal["signed", "session"] = "signed"
    """Which style ``connector_config`` sets up; the server accepts both at all times."""
    login: Literal["app_secret", "password"] = "app_secret"
    session_ttl: float | None = None
    """Idle seconds (sandbox clock) after which a session is lost; ``None``: never."""
    signed_silent_renewal: bool = True
    """Signed calls presenting an expired session get a new one silently (as observed)."""
    call_limit: int | None = None
    call_window: float = 60.0
    max_limit: int = 10000
    reject_over_limit: bool = False
    max_start_row: int | None = None
    """Refuse queries starting deeper than this offset (a stand-in for the deep-offset
    timeouts of large tenants; the real server documents no such limit)."""
    atomic_batch: bool = False
    """BatchSave commits nothing when one model fails (default: the good ones commit)."""
    status_touches_modify_date: bool = True
    extension_fields: tuple[str, ...] = ("F_SyncHub_ID",)
    garbage: Literal["response_error", "html"] = "response_error"
    vdir: str = "/k3cloud"


class KingdeeSandbox(Sandbox):
    """The simulator; see ``connectors/kingdee/sandbox/__init__.py`` for what it covers."""

    name: ClassVar[str] = "kingdee"

    def __init__(
        self,
        *,
        seed: int = 0,
        companies: int = 20,
        universe: Universe | None = None,
        **vendor_options: Any,
    ) -> None:
        super().__init__(seed=seed)
        self.options = _options(vendor_options)
        companies = int(companies)
        self.forms: dict[str, Form] = {
            key: with_extension(form, self.options.extension_fields) for key, form in FORMS.items()
        }
        self.store = Store(
            self.forms.values(),
            self.clock.now,
            touch_on_status=self.options.status_touches_modify_date,
        )
        self.lookup = base_lookup(self._table("BD_Customer"))
        self.sessions = Sessions(ACCOUNT, self.clock.now)
        self.sessions.ttl = self.options.session_ttl
        self.sessions.signed_silent_renewal = self.options.signed_silent_renewal
        self.call_window = CallWindow(self.options.call_limit, self.options.call_window)
        self._response_errors: deque[tuple[str, str]] = deque()
        self.universe = universe if universe is not None else build_universe(seed, companies)
        with self.lock:
            Seeder(self.store, self.clock.now()).render(self.universe)

    # -- the app and its vendor-shaped faults -----------------------------------------
    def build_app(self) -> ASGIApp:
        """The WebAPI as an ASGI app."""
        return KingdeeApi(self)

    def rate_limit_response(self, retry_after: float | None) -> tuple[int, dict[str, str], bytes]:
        """K/3 Cloud signals a call limit with MsgCode 14 in a 200 body, no Retry-After."""
        body = wire.dumps(wire.failure(CALL_LIMIT_MESSAGE, MsgCode.CALL_LIMIT))
        return 200, {"content-type": "application/json; charset=utf-8"}, body

    def error_response(self, status: int) -> tuple[int, dict[str, str], bytes]:
        """A gateway or IIS failure: non-200 with a plain-text body."""
        text = f"{status} - Service unavailable (IIS/ARR gateway)"
        return status, {"content-type": "text/plain; charset=utf-8"}, text.encode()

    def garbage_response(self) -> tuple[int, dict[str, str], bytes]:
        """An unhandled server exception: HTTP 200, plain text starting ``response_error:``."""
        if self.options.garbage == "html":
            return super().garbage_response()
        text = f"{RESPONSE_ERROR_PREFIX}未将对象引用设置到对象的实例。"
        return 200, {"content-type": "text/plain; charset=utf-8"}, text.encode()

    def inject_response_error(
        self, method: str = "", times: int = 1, message: str = "服务器内部错误"
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with a ``response_error:`` body.

        ``method`` is e.g. ``BatchSave`` ('' matches any call).
        """
        with self.lock:
            self._response_errors.extend([(method.lower(), message)] * times)

    def take_response_error(self, method: str) -> str | None:
        """Consume a queued ``response_error`` for ``method`` (called under the lock)."""
        for item in self._response_errors:
            if item[0] in ("", method):
                self._response_errors.remove(item)
                return item[1]
        return None

    # -- clients ----------------------------------------------------------------------
    def credentials(self, base_url: str) -> dict[str, Any]:
        """What ``synchub sandbox kingdee --json`` prints."""
        return {
            "base_url": f"{base_url.rstrip('/')}{self.options.vdir}/",
            "acct_id": ACCOUNT.acct_id,
            "user_name": ACCOUNT.user_name,
            "password": ACCOUNT.password,
            "app_id": ACCOUNT.app_id,
            "app_secret": ACCOUNT.app_secret,
            "lcid": ACCOUNT.lcid,
        }

    def connector_config(self, base_url: str) -> dict[str, Any]:
        """A connector config for this sandbox, in the auth style chosen by the options."""
        creds = self.credentials(base_url)
        config: dict[str, Any] = {
            "base_url": creds["base_url"],
            "acct_id": creds["acct_id"],
            "user_name": creds["user_name"],
            "lcid": creds["lcid"],
            "auth": self.options.auth_style,
            "external_key_field": self.options.extension_fields[0]
            if self.options.extension_fields
            else None,
        }
        if self.options.auth_style == "session" and self.options.login == "password":
            config.update(login="password", password=creds["password"])
        else:
            config.update(app_id=creds["app_id"], app_secret=creds["app_secret"])
            if self.options.auth_style == "session":
                config["login"] = "app_secret"
        return config

    def bad_credentials_config(self, base_url: str) -> dict[str, Any]:
        """The connector config with a wrong app secret (or password): refused as MsgCode 1."""
        config = self.connector_config(base_url)
        for key in ("app_secret", "password"):
            if key in config:
                config[key] = f"wrong-{config[key]}"
        return config

    def deep_paging_limit(self, stream: str) -> int | None:
        """The ``max_start_row`` switch, if set (K/3 Cloud itself documents none)."""
        return self.options.max_start_row

    # -- control hooks ----------------------------------------------------------------
    def _table(self, stream: str) -> Table:
        form_id = STREAM_FORMS.get(stream, stream)
        table = self.store.table(form_id)
        if table is None:
            raise KeyError(f"unknown stream or form {stream!r}; known: {', '.join(STREAM_FORMS)}")
        return table

    def reset(self, stream: str, count: int) -> list[str]:
        """Replace the records of ``stream`` with ``count`` new ones (status A); their numbers."""
        with self.lock:
            table = self._table(stream)
            table.bills.clear()
            table.by_number.clear()
            numbers = []
            for n in range(count):
                bill = self.store.save(table, self.sample_record(stream, n), SaveOptions())
                numbers.append(str(bill.header[table.form.number_key]))
            return numbers

    def remote_ids(self, stream: str) -> set[str]:
        """Numbers (FNumber / FBillNo) of the live records: the connector's remote ids."""
        with self.lock:
            table = self._table(stream)
            return {str(b.header[table.form.number_key]) for b in table.bills.values()}

    def get_record(self, stream: str, remote_id: str) -> dict[str, Any] | None:
        """The stored record in Save-model shape: field keys, refs as ``{"FNumber": ...}``."""
        with self.lock:
            table = self._table(stream)
            bill = table.find(remote_id)
            return None if bill is None else self.model_of(table, bill)

    def touch(self, stream: str, remote_ids: list[str]) -> None:
        """A user edits these records now (sandbox clock): modify date moves, name changes."""
        with self.lock:
            table = self._table(stream)
            now = self.clock.now()
            for number in remote_ids:
                bill = table.find(number)
                if bill is None:
                    raise KeyError(f"{stream}: no record {number!r}")
                self.store.touch(table, bill, now)

    def delete(self, stream: str, remote_ids: list[str]) -> None:
        """A user deletes these records (K/3 Cloud keeps no tombstones)."""
        with self.lock:
            table = self._table(stream)
            for number in remote_ids:
                bill = table.find(number)
                if bill is not None:
                    del table.bills[bill.id]
                    del table.by_number[number]

    def expire_credentials(self) -> None:
        """Every session is lost, as an idle timeout or a server restart would do."""
        with self.lock:
            self.sessions.expire_all()

    def sample_record(self, stream: str, n: int) -> dict[str, Any]:
        """A valid Save model for ``stream``, distinct for each ``n``."""
        form_id = STREAM_FORMS.get(stream, stream)
        customer = "" if form_id == "BD_Customer" else self._any_customer()
        org = {"FNumber": "100"}
        cny = {"FNumber": "PRE001"}
        amount = Decimal(1000 + n * 10)
        if form_id == "BD_Customer":
            return {
                "FName": f"测试客户{n:04d}科技有限公司",
                "FCreateOrgId": org,
                "FUseOrgId": org,
                "FSOCIALCRECODE": _credit_code(n),
                "FTRADINGCURRID": cny,
            }
        if form_id == "SAL_SaleOrder":
            return {
                "FBillTypeID": {"FNUMBER": "XSDD01_SYS"},
                "FDate": "2024-05-06",
                "FSaleOrgId": org,
                "FCustId": {"FNumber": customer},
                "FNote": f"测试合同 {n}",
                "FSaleOrderFinance": {"FSettleCurrId": cny, "FExchangeRate": 1},
                "FSaleOrderEntry": [
                    {
                        "FMaterialId": {"FNumber": "SVC-DEV"},
                        "FQty": 1,
                        "FPrice": amount,
                        "FEntryTaxRate": 6,
                    }
                ],
            }
        if form_id == "AR_receivable":
            return {
                "FBillTypeID": {"FNumber": "YSD01_SYS"},
                "FDATE": "2024-05-06",
                "FENDDATE_H": "2024-06-05",
                "FCUSTOMERID": {"FNumber": customer},
                "FCURRENCYID": cny,
                "FSETTLEORGID": org,
                "FEntityDetail": [
                    {
                        "FMATERIALID": {"FNumber": "SVC-DEV"},
                        "FPriceQty": 1,
                        "FPrice": amount,
                        "FEntryTaxRate": 6,
                    }
                ],
            }
        if form_id in ("IV_SALESIC", "IV_SALESOC"):
            entry = "FSALESICENTRY" if form_id == "IV_SALESIC" else "FSALESOCENTRY"
            return {
                "FDATE": "2024-05-06",
                "FINVOICENO": f"{n:08d}",
                "FCUSTOMERID": {"FNumber": customer},
                "FSETTLEORGID": org,
                "FCURRENCYID": cny,
                entry: [
                    {
                        "FMATERIALID": {"FNumber": "SVC-DEV"},
                        "FPRICEQTY": 1,
                        "FAUXPRICE": amount,
                        "FTAXRATE": 6,
                    }
                ],
            }
        if form_id == "AR_RECEIVEBILL":
            return {
                "FBillTypeID": {"FNumber": "SKDLX01_SYS"},
                "FDATE": "2024-05-30",
                "FCONTACTUNITTYPE": "BD_Customer",
                "FCONTACTUNIT": {"FNumber": customer},
                "FCURRENCYID": cny,
                "FPAYORGID": org,
                "FRECEIVEBILLENTRY": [
                    {
                        "FSETTLETYPEID": {"FNumber": "JSFS04_SYS"},
                        "FPURPOSEID": {"FNumber": "SFKYT01_SYS"},
                        "FRECTOTALAMOUNTFOR": amount,
                    }
                ],
            }
        raise KeyError(f"unknown stream {stream!r}")

    def invalid_record(self, stream: str) -> tuple[dict[str, Any], str]:
        """A model missing a required field; the refusal says the field is required (必填)."""
        record = self.sample_record(stream, 9999)
        form = self._table(stream).form
        required = next(f for f in form.fields if f.required and f.key in record)
        del record[required.key]
        return record, required.label

    def _any_customer(self) -> str:
        with self.lock:
            table = self._table("customers")
            if not table.bills:
                bill = self.store.save(
                    table,
                    {"FName": "默认测试客户有限公司", "FCreateOrgId": {"FNumber": "100"}},
                    SaveOptions(),
                )
                return str(bill.header["FNumber"])
            first = min(table.bills)
            return str(table.bills[first].header["FNumber"])

    # -- shapes -----------------------------------------------------------------------
    def model_of(self, table: Table, bill: Bill) -> dict[str, Any]:
        """A record as field keys: refs as ``{"FNumber": ...}``, entries as lists of rows."""
        form = table.form

        def shape(f_kind: str, value: Any) -> Any:
            if value is None:
                return None
            return {"FNumber": value} if f_kind == "ref" else render(value)

        out = {f.key: shape(f.kind, bill.header.get(f.key)) for f in form.fields}
        for entry in form.entries:
            out[entry.key] = [
                {
                    f.key: shape(f.kind, row.get(f.key))
                    for f in entry.fields
                    if f.key in row or f.computed
                }
                for row in bill.entries.get(entry.key, [])
            ]
        return out

    def view_of(self, table: Table, bill: Bill) -> dict[str, Any]:
        """The View shape: ORM property names, nested references, multilingual names."""
        form = table.form
        out: dict[str, Any] = {"Id": bill.id}
        for f in form.fields:
            value = bill.header.get(f.key)
            prop = f.key[1:] if f.key.startswith("F") else f.key
            if f.key == form.id_key:
                continue
            if f.key == form.number_key:
                out["BillNo" if form.number_key == "FBillNo" else "Number"] = value
            elif f.kind == "ref":
                out[prop] = self._view_ref(f.ref or "", value)
                out[f"{prop}_Id"] = out[prop]["Id"] if out[prop] else 0
            elif f.key == "FName":
                out["Name"] = [{"Key": 2052, "Value": value}]
            else:
                out[prop] = render(value)
        for entry in form.entries:
            rows = []
            for row in bill.entries.get(entry.key, []):
                item: dict[str, Any] = {"Id": row.get(entry.id_key)}
                for f in entry.fields:
                    if f.key == entry.id_key:
                        continue
                    prop = f.key[1:]
                    item[prop] = (
                        self._view_ref(f.ref or "", row.get(f.key))
                        if f.kind == "ref"
                        else render(row.get(f.key))
                    )
                rows.append(item)
            out[entry.key[1:]] = rows
        return out

    def _view_ref(self, kind: str, number: Any) -> dict[str, Any] | None:
        if number is None:
            return None
        found = self.lookup(kind, str(number))
        name = found[1] if found else ""
        return {
            "Id": found[0] if found else 0,
            "Number": number,
            "Name": [{"Key": 2052, "Value": name}],
        }

    # -- atomic BatchSave -------------------------------------------------------------
    def snapshot(self) -> Any:
        """A copy of every table, for rolling back an atomic BatchSave."""
        return copy.deepcopy(
            {k: (t.bills, t.by_number, t.sequence) for k, t in self.store.tables.items()}
        )

    def restore(self, snapshot: Any) -> None:
        """Put back what ``snapshot`` copied."""
        for key, (bills, by_number, sequence) in snapshot.items():
            table = self.store.tables[key]
            table.bills, table.by_number, table.sequence = bills, by_number, sequence


def _options(given: dict[str, Any]) -> KingdeeOptions:
    """Options from keyword arguments; text values (``synchub sandbox -o KEY=VALUE``) coerced."""
    defaults = KingdeeOptions()
    known = {f.name for f in fields(KingdeeOptions)}
    unknown = set(given) - known
    if unknown:
        raise TypeError(f"unknown Kingdee sandbox options: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, given_value in given.items():
        default = getattr(defaults, name)
        if isinstance(given_value, str) and not isinstance(default, str):
            values[name] = _coerce(name, given_value, default)
        elif isinstance(default, tuple):
            values[name] = tuple(given_value)
        else:
            values[name] = given_value
    return KingdeeOptions(**values)


def _coerce(name: str, text: str, default: Any) -> Any:
    lowered = text.strip().lower()
    if lowered in ("", "none", "null"):
        return None
    if isinstance(default, bool):
        if lowered not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"option {name} expects true or false, got {text!r}")
        return lowered in ("true", "1", "yes")
    if isinstance(default, tuple):
        return tuple(p.strip() for p in text.split(",") if p.strip())
    if name in ("session_ttl", "call_window"):
        return float(text)
    return int(text)


def _credit_code(n: int) -> str:
    return make_uscc(Random(n), "330100")


__all__ = ["BASE_DATA", "STREAM_FORMS", "KingdeeOptions", "KingdeeSandbox"]
