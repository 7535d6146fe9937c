"""The sandbox's U8 books: records by code, the checks an add must pass, list filters.

An add is keyed by ``tradeid`` or ``biz_id``: the same key names the same
document forever, so a retried add creates nothing new and answers with the
first document's code.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from connectors.sdk.cn import uscc_problem
from connectors.yonyou_u8.wire import format_stamp

KEYS = {
    "customers": "code",
    "sales_orders": "code",
    "sales_invoices": "invoiceno",
    "receivables": "code",
    "receipts": "vouchcode",
}
DATES = {
    "customers": "ModifyDate",
    "sales_orders": "date",
    "sales_invoices": "date",
    "receivables": "date",
    "receipts": "vouchdate",
}
CUSTOMER_REF = {
    "sales_orders": "custcode",
    "sales_invoices": "customercode",
    "receivables": "cust_vendor_code",
    "receipts": "customercode",
}
PREFIX = {
    "customers": "C9",
    "sales_orders": "SO",
    "sales_invoices": "XS",
    "receivables": "YS",
    "receipts": "SK",
}
RESOURCES = {
    "customers": "customer",
    "sales_orders": "saleorder",
    "sales_invoices": "saleinvoice",
    "receivables": "oughtreceive",
    "receipts": "accept",
}
LIST_RESOURCES = {
    "customers": "customer",
    "sales_orders": "saleorderlist",
    "sales_invoices": "saleinvoicelist",
    "receivables": "oughtreceivelist",
    "receipts": "acceptlist",
}
LABELS = {
    "customers": "客户",
    "sales_orders": "销售订单",
    "sales_invoices": "销售发票",
    "receivables": "应收单",
    "receipts": "收款单",
}
RANGE_FILTERS = {
    "ModifyDate_begin": ("ModifyDate", ">="),
    "ModifyDate_end": ("ModifyDate", "<="),
    "date_begin": ("date", ">="),
    "date_end": ("date", "<="),
    "vouchdate_begin": ("vouchdate", ">="),
    "vouchdate_end": ("vouchdate", "<="),
}


class Refused(Exception):
    """An add or query U8 refuses: ``errcode`` and ``errmsg``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class U8Store:
    """Records by stream and code; callers hold the sandbox lock."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.records: dict[str, dict[str, dict[str, Any]]] = {s: {} for s in KEYS}
        self.idempotency: dict[tuple[str, str, str], str] = {}
        self._numbers = itertools.count(1)

    def load(self, stream: str, rows: list[dict[str, Any]]) -> None:
        """Replace a stream's records (customers get a ``ModifyDate`` now)."""
        self.records[stream] = {}
        for row in rows:
            record = (
                {**row, "ModifyDate": format_stamp(self.now())} if stream == "customers" else row
            )
            self.records[stream][str(record[KEYS[stream]])] = record

    def header(self, record: dict[str, Any]) -> dict[str, Any]:
        """A list row: the document without its ``entry`` lines."""
        return {k: v for k, v in record.items() if k != "entry"}

    def query(self, stream: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """Records passing every recognised filter, in code order."""
        rows = list(self.records[stream].values())
        for name, value in params.items():
            if name in RANGE_FILTERS:
                field, op = RANGE_FILTERS[name]
                rows = [r for r in rows if _in_range(str(r.get(field) or ""), value, op)]
            elif name in ("code_begin", "invoiceno_begin", "vouchcode_begin"):
                rows = [r for r in rows if str(r[KEYS[stream]]) >= value]
            elif name in ("code_end", "invoiceno_end", "vouchcode_end"):
                rows = [r for r in rows if str(r[KEYS[stream]]) <= value]
            elif name in (
                "custcode",
                "customercode",
                "cust_vendor_code",
                "csocode",
                "vouchtype",
                "state",
            ):
                rows = [r for r in rows if str(r.get(name)) == value]
            elif name == "name":
                rows = [r for r in rows if value in str(r.get("name", ""))]
            elif name.startswith(("define", "self_define")):
                rows = [r for r in rows if r.get(name) == value]
        return sorted(rows, key=lambda r: str(r[KEYS[stream]]))

    def add(self, stream: str, data: Any, key: tuple[str, str] | None) -> str:
        """Store a new record (or find the one this key already made); its code."""
        if key is not None:
            seen = self.idempotency.get((stream, *key))
            if seen is not None and seen in self.records[stream]:
                return seen
        if not isinstance(data, dict):
            raise Refused("2001", f"请求体缺少{LABELS[stream]}对象")
        record = self._validate(stream, dict(data))
        code = self._code(stream, record)
        self.records[stream][code] = record
        if key is not None:
            self.idempotency[(stream, *key)] = code
        return code

    def edit(self, stream: str, data: Any) -> str:
        """Change an existing customer; its code."""
        if not isinstance(data, dict) or not data.get("code"):
            raise Refused("2001", "客户编码不能为空")
        current = self.records[stream].get(str(data["code"]))
        if current is None:
            raise Refused("2001", f"客户[{data['code']}]不存在")
        merged = self._validate(stream, {**current, **data})
        self.records[stream][str(data["code"])] = merged
        return str(data["code"])

    def _code(self, stream: str, record: dict[str, Any]) -> str:
        key = KEYS[stream]
        if record.get(key):
            code = str(record[key])
            if code in self.records[stream]:
                raise Refused("2001", f"{LABELS[stream]}编号[{code}]已存在")
            return code
        code = f"{PREFIX[stream]}{self.now():%Y%m}{next(self._numbers):05d}"
        record[key] = code
        return code

    def _validate(self, stream: str, record: dict[str, Any]) -> dict[str, Any]:
        if stream == "customers":
            if not record.get("code"):
                raise Refused("2001", "客户编码不能为空")
            if not record.get("name"):
                raise Refused("2001", "客户名称不能为空")
            if record.get("regcode") and uscc_problem(str(record["regcode"])):
                raise Refused("2001", f"税号[{record['regcode']}]不合法")
            record["ModifyDate"] = format_stamp(self.now())
            return record
        ref = CUSTOMER_REF[stream]
        cust = self.records["customers"].get(str(record.get(ref)))
        if cust is None:
            raise Refused("2001", f"客户[{record.get(ref)}]不存在")
        if not record.get(DATES[stream]):
            record[DATES[stream]] = self.now().date().isoformat()
        lines = record.get("entry") or []
        if stream in ("receivables", "receipts") and record.get("amount") in (None, ""):
            raise Refused("2001", "金额不能为空")
        if stream == "sales_invoices":
            for name in ("originalmoney", "originaltax", "originalsum"):
                record[name] = sum((_dec(line.get(name)) for line in lines), Decimal(0))
        if stream == "sales_orders":
            record["sum"] = sum((_dec(line.get("sum")) for line in lines), Decimal(0))
            record.setdefault("state", "Opening")  # a new order waits for approval in U8
        label = "customername" if ref == "customercode" else "cusname"
        record[label] = cust["name"]
        return record


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _in_range(value: str, bound: str, op: str) -> bool:
    if not value:
        return False
    value = value[: len(bound)]
    return value >= bound if op == ">=" else value <= bound
