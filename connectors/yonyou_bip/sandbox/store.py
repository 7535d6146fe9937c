"""The sandbox's books: records per stream, the rules a save must pass, list queries.

Validation follows the vendor's documented behaviour: ``_status`` on the header
and every child row, ``Update`` only with an existing id (and the current
``pubts`` when one is sent), customers referenced by id or code, amounts that
add up. Refusals carry the vendor's own code and a Chinese message.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from connectors.sdk.cn import uscc_problem
from connectors.yonyou_bip.wire import format_stamp

LINES = {
    "customers": ("merchantAddressInfos", "merchantContactInfos", "merchantAgentFinancialInfos"),
    "sales_orders": ("orderDetails",),
    "sales_invoices": ("saleInvoiceDetails",),
    "receivables": ("oarDetail",),
    "receipts": ("ReceiveBill_b",),
}
PREFIX = {"sales_orders": "UO-", "sales_invoices": "TI", "receivables": "OAR", "receipts": "RECar"}
CUSTOMER_FIELD = {
    "sales_orders": "agentId",
    "sales_invoices": "agentId",
    "receivables": "customer_code",
    "receipts": "customer_code",
}


class Refused(Exception):
    """A save the vendor refuses: ``code`` and ``message`` go into the envelope."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class BipStore:
    """Records by stream and id; callers hold the sandbox lock."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.records: dict[str, dict[str, dict[str, Any]]] = {s: {} for s in LINES}
        self._ids = itertools.count(2285747004510001)
        self._codes = itertools.count(1)

    def next_id(self) -> str:
        """A fresh internal id (16-digit numeric string, as the vendor's)."""
        return str(next(self._ids))

    def load(self, stream: str, rows: list[dict[str, Any]]) -> None:
        """Replace a stream's records, stamping each with the current ``pubts``."""
        stamp = format_stamp(self.now())
        self.records[stream] = {row["id"]: {**row, "pubts": stamp} for row in rows}

    # -- queries ---------------------------------------------------------------------
    def header(self, stream: str, record: dict[str, Any]) -> dict[str, Any]:
        """A list row: the record without child tables."""
        return {k: v for k, v in record.items() if k not in LINES[stream]}

    def flatten(self, stream: str, record: dict[str, Any]) -> list[dict[str, Any]]:
        """``isSum: false``: one row per header x line, line fields prefixed by the table name."""
        key = LINES[stream][0]
        lines = record.get(key) or [{}]
        head = self.header(stream, record)
        return [{**head, **{f"{key}_{k}": v for k, v in line.items()}} for line in lines]

    def customer(self, ref: Any) -> dict[str, Any] | None:
        """A live customer by internal id or by code."""
        customers = self.records["customers"]
        if str(ref) in customers:
            return customers[str(ref)]
        return next((c for c in customers.values() if c.get("code") == ref), None)

    def query(
        self,
        stream: str,
        conditions: list[dict[str, Any]],
        orders: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Records matching every condition, sorted as asked (default: by id)."""
        rows = [r for r in self.records[stream].values() if all(_matches(r, c) for c in conditions)]
        rows.sort(key=lambda r: r["id"])
        for order in reversed(orders or []):
            field = str(order.get("field"))
            rows.sort(key=lambda r: _sortable(r.get(field)), reverse=order.get("order") == "desc")
        return rows

    # -- saves -----------------------------------------------------------------------
    def save(self, stream: str, data: Any, *, require_status: bool = True) -> dict[str, Any]:
        """Insert or update one record; returns the stored record or raises ``Refused``."""
        if not isinstance(data, dict):
            raise Refused("310002", "请求体必须是JSON结构，且包含data对象")
        status = data.get("_status")
        if require_status and status not in ("Insert", "Update"):
            raise Refused("999", "_status 不能为空，取值 Insert / Update")
        for key in LINES[stream]:
            for line in data.get(key) or []:
                if (
                    require_status
                    and isinstance(line, dict)
                    and line.get("_status") not in ("Insert", "Update")
                ):
                    raise Refused("999", f"{key} 行的 _status 不能为空")
        if status == "Update":
            return self._update(stream, data)
        return self._insert(stream, data)

    def _insert(self, stream: str, data: dict[str, Any]) -> dict[str, Any]:
        record = _clean(data)
        self._validate(stream, record)
        record["id"] = self.next_id()
        if not record.get("code"):
            record["code"] = f"{PREFIX.get(stream, 'C')}{self.now():%Y%m%d}{next(self._codes):06d}"
        elif any(r.get("code") == record["code"] for r in self.records[stream].values()):
            raise Refused("999", f"编码[{record['code']}]已存在")
        self._line_ids(stream, record)
        record["pubts"] = format_stamp(self.now())
        self.records[stream][record["id"]] = record
        return record

    def _update(self, stream: str, data: dict[str, Any]) -> dict[str, Any]:
        rid = str(data.get("id") or "")
        if not rid:
            raise Refused("999", "更新时 id 不能为空")
        current = self.records[stream].get(rid)
        if current is None:
            raise Refused("1002", f"数据不存在，id={rid}")
        if data.get("pubts") and data["pubts"] != current["pubts"]:
            raise Refused("999", "数据已被他人修改，请刷新后重试")
        record = {**current, **_clean(data)}
        self._validate(stream, record)
        self._line_ids(stream, record)
        record["pubts"] = format_stamp(self.now())
        self.records[stream][rid] = record
        return record

    def _line_ids(self, stream: str, record: dict[str, Any]) -> None:
        for key in LINES[stream]:
            for line in record.get(key) or []:
                if isinstance(line, dict) and not line.get("id"):
                    line["id"] = self.next_id()

    def _validate(self, stream: str, record: dict[str, Any]) -> None:
        if stream == "customers":
            _validate_customer(record)
            return
        if not record.get("vouchdate"):
            raise Refused("999", "单据日期(vouchdate) 不能为空")
        ref_field = CUSTOMER_FIELD[stream]
        cust = self.customer(record.get(ref_field))
        if cust is None:
            raise Refused("999", f"客户[{record.get(ref_field)}]不存在")
        if stream in ("receivables", "receipts"):
            record["customer"], record["customer_code"] = cust["id"], cust["code"]
        else:
            record["agentId"], record["agentId_code"] = cust["id"], cust["code"]
        _check_amounts(stream, record)


def _validate_customer(record: dict[str, Any]) -> None:
    name = record.get("name")
    text = name.get("simplifiedName") or name.get("zh_CN") if isinstance(name, dict) else name
    if not text:
        raise Refused("0", "客户名称不能为空!")
    record["name"] = {"simplifiedName": text}
    if isinstance(record.get("shortname"), dict):
        short = record["shortname"]
        record["shortname"] = {"simplifiedName": short.get("simplifiedName") or short.get("zh_CN")}
    code = record.get("creditCode")
    if code and uscc_problem(str(code)):
        raise Refused("999", f"证照号码[{code}]不合法：{uscc_problem(str(code))}")
    record.setdefault("merchantAppliedDetail", {"stopstatus": False})


def _check_amounts(stream: str, record: dict[str, Any]) -> None:
    if stream == "sales_orders" and record.get("orderDetails"):
        lines = sum((_dec(line.get("oriSum")) for line in record["orderDetails"]), Decimal(0))
        if record.get("payMoney") is not None and _dec(record["payMoney"]) != lines:
            raise Refused("999", f"表头含税金额[{record['payMoney']}]与表体合计[{lines}]不一致")
    money = ("oriMoney", "oriTax", "oriSum")
    if (
        stream == "sales_invoices"
        and set(money) <= record.keys()
        and _dec(record["oriMoney"]) + _dec(record["oriTax"]) != _dec(record["oriSum"])
    ):
        raise Refused("999", "无税金额 + 税额 与 价税合计 不一致")


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """What is stored: the request minus transport-only keys, lines copied."""
    skip = {"_status", "resubmitCheckKey", "pubts"}
    record = {k: v for k, v in data.items() if k not in skip}
    for key, value in list(record.items()):
        if isinstance(value, list):
            record[key] = [
                {k: v for k, v in line.items() if k != "_status"}
                if isinstance(line, dict)
                else line
                for line in value
            ]
    return record


def _sortable(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, int | Decimal | float):
        return (1, Decimal(str(value)))
    return (2, str(value))


def _matches(record: dict[str, Any], condition: dict[str, Any]) -> bool:
    """One ``simpleVOs`` condition; comparisons on text (stamps sort as text)."""
    field, op = str(condition.get("field")), str(condition.get("op", "eq"))
    value, one, two = record.get(field), condition.get("value1"), condition.get("value2")
    if op == "is_null":
        return value in (None, "")
    if op == "is_not_null":
        return value not in (None, "")
    if value is None:
        return op in ("neq", "nin")
    text = str(value)
    if op in ("in", "nin"):
        options = one if isinstance(one, list) else str(one).split(",")
        return (text in [str(o) for o in options]) == (op == "in")
    checks: dict[str, Callable[[], bool]] = {
        "eq": lambda: text == str(one),
        "neq": lambda: text != str(one),
        "gt": lambda: _cmp(value, one) > 0,
        "egt": lambda: _cmp(value, one) >= 0,
        "lt": lambda: _cmp(value, one) < 0,
        "elt": lambda: _cmp(value, one) <= 0,
        "between": lambda: _cmp(value, one) >= 0 and _cmp(value, two) <= 0,
        "like": lambda: str(one) in text,
        "leftlike": lambda: text.startswith(str(one)),
        "rightlike": lambda: text.endswith(str(one)),
    }
    check = checks.get(op)
    return check() if check is not None else False


def _cmp(left: Any, right: Any) -> int:
    if isinstance(left, int | Decimal | float) and not isinstance(left, bool):
        a, b = Decimal(str(left)), Decimal(str(right))
    else:
        a, b = str(left), str(right)  # type: ignore[assignment]
    return (a > b) - (a < b)
