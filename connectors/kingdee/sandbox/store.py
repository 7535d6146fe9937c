"""The simulator's records and the rules the server enforces on them.

Saving (create or update by internal id, ``NeedUpDateFields``, ``IsDeleteEntry``),
numbering, base-data references, computed totals and the document-status machine
(A created -> B submitted -> C audited -> D re-audit) all live here, independent
of HTTP, so the control hooks and the wire handlers share one implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.kingdee.protocol import SERVER_TZ, parse_server_datetime
from connectors.kingdee.sandbox.forms import BASE_DATA, Field, Form

Clock = Callable[[], datetime]

STATUS_NAMES = {"Z": "暂存", "A": "创建", "B": "审核中", "C": "已审核", "D": "重新审核"}
EDITABLE = frozenset({"Z", "A", "D"})


class RowError(Exception):
    """A model or number the server refuses; ``field`` names the field key when known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(slots=True)
class Bill:
    """One stored record: header values by canonical key, entry rows by entry key."""

    id: int
    header: dict[str, Any]
    entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """``FDocumentStatus``."""
        return str(self.header["FDocumentStatus"])


@dataclass(frozen=True, slots=True)
class SaveOptions:
    """The ``data`` options of Save/BatchSave that change what is stored."""

    need_update_fields: tuple[str, ...] = ()
    is_delete_entry: bool = True
    verify_base_data: bool = False


class Table:
    """The records of one form, by internal id and by number."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.bills: dict[int, Bill] = {}
        self.by_number: dict[str, int] = {}
        self.sequence = 0

    def find(self, number: str | None = None, id: int | None = None) -> Bill | None:
        """A live record by number or internal id."""
        if id is not None:
            return self.bills.get(id)
        if number is not None and number in self.by_number:
            return self.bills.get(self.by_number[number])
        return None

    def next_number(self) -> str:
        """The next free automatic number (``XSDD000001``)."""
        while True:
            self.sequence += 1
            candidate = f"{self.form.number_prefix}{self.sequence:06d}"
            if candidate not in self.by_number:
                return candidate


class Store:
    """Every form's table plus the id counters; not thread-safe (the sandbox locks)."""

    def __init__(self, forms: Iterable[Form], clock: Clock, *, touch_on_status: bool) -> None:
        self.tables = {f.form_id.lower(): Table(f) for f in forms}
        self.clock = clock
        self.touch_on_status = touch_on_status
        self._next_id = 100000
        self._next_entry_id = 500000

    def table(self, form_id: str) -> Table | None:
        """The table of ``form_id`` (any casing), ``None`` for an unknown form."""
        return self.tables.get(form_id.lower())

    def new_id(self) -> int:
        """A fresh internal id."""
        self._next_id += 1
        return self._next_id

    def new_entry_id(self) -> int:
        """A fresh entry-row id."""
        self._next_entry_id += 1
        return self._next_entry_id

    def now(self) -> datetime:
        """The sandbox clock as server wall time (Asia/Shanghai), to the millisecond.

        SQL Server ``datetime`` keeps milliseconds (3.33 ms steps) and the API prints
        them; storing finer times would make a printed time compare unequal to itself.
        """
        return millis(self.clock())

    # -- saving -----------------------------------------------------------------------
    def save(self, table: Table, model: Mapping[str, Any], options: SaveOptions) -> Bill:
        """Create or update one model; ``RowError`` if the server would refuse it."""
        form = table.form
        header, entries = self._normalise(form, model)
        raw_id = _lookup(model, form.id_key)
        record_id = _as_int(raw_id) if raw_id not in (None, "", 0, "0") else 0
        if record_id:
            existing = table.find(id=record_id)
            if existing is None:
                raise RowError(f"内码为{record_id}的{form.title}不存在或已被删除。", form.id_key)
            return self._update(table, existing, header, entries, options)
        return self._create(table, header, entries)

    def _create(
        self, table: Table, header: dict[str, Any], entries: dict[str, list[dict[str, Any]]]
    ) -> Bill:
        form = table.form
        number = header.get(form.number_key) or None
        if number is not None and number in table.by_number:
            raise RowError(f"{form.title}编码“{number}”已经被使用，编码必须唯一。", form.number_key)
        self._check_required(form, header, entries)
        now = self.now()
        bill = Bill(self.new_id(), {})
        bill.header.update(header)
        bill.header[form.id_key] = bill.id
        bill.header[form.number_key] = number or table.next_number()
        bill.header.update(FDocumentStatus="A", FCreateDate=now, FModifyDate=now)
        if form.header_field("FForbidStatus"):
            bill.header["FForbidStatus"] = "A"
        for key, flag in (("FCancelStatus", "A"), ("FWRITTENOFFSTATUS", "A")):
            if form.header_field(key):
                bill.header[key] = flag
        for entry in form.entries:
            bill.entries[entry.key] = [
                self._new_row(entry.id_key, r) for r in entries.get(entry.key, [])
            ]
        _compute(form, bill)
        table.bills[bill.id] = bill
        table.by_number[bill.header[form.number_key]] = bill.id
        return bill

    def _update(
        self,
        table: Table,
        bill: Bill,
        header: dict[str, Any],
        entries: dict[str, list[dict[str, Any]]],
        options: SaveOptions,
    ) -> Bill:
        form = table.form
        if bill.status not in EDITABLE:
            raise RowError(_not_editable(form, bill), "FDocumentStatus")
        wanted = {k.lower() for k in options.need_update_fields}
        if wanted:
            header = {k: v for k, v in header.items() if k.lower() in wanted}
            entries = {k: v for k, v in entries.items() if k.lower() in wanted}
        number = header.get(form.number_key)
        old_number = bill.header[form.number_key]
        if number and number != old_number and number in table.by_number:
            raise RowError(f"{form.title}编码“{number}”已经被使用，编码必须唯一。", form.number_key)
        merged = {**bill.header, **{k: v for k, v in header.items() if k != form.id_key}}
        merged_entries = {
            key: self._merge_rows(form.entry(key).id_key, bill.entries.get(key, []), rows, options)  # type: ignore[union-attr]
            for key, rows in entries.items()
        }
        self._check_required(form, merged, {**bill.entries, **merged_entries})
        bill.header = merged
        bill.entries.update(merged_entries)
        bill.header["FModifyDate"] = self.now()
        if not bill.header.get(form.number_key):
            bill.header[form.number_key] = old_number
        _compute(form, bill)
        if bill.header[form.number_key] != old_number:
            del table.by_number[old_number]
            table.by_number[bill.header[form.number_key]] = bill.id
        return bill

    def _merge_rows(
        self,
        id_key: str,
        existing: list[dict[str, Any]],
        incoming: list[dict[str, Any]],
        options: SaveOptions,
    ) -> list[dict[str, Any]]:
        by_id = {row[id_key]: row for row in existing}
        result: list[dict[str, Any]] = []
        seen: set[int] = set()
        for row in incoming:
            row_id = _as_int(row.get(id_key) or 0)
            if row_id and row_id in by_id:
                result.append({**by_id[row_id], **row, id_key: row_id})
                seen.add(row_id)
            else:
                result.append(self._new_row(id_key, row))
        if not options.is_delete_entry:
            result = [r for r in existing if r[id_key] not in seen] + result
        return result

    def _new_row(self, id_key: str, row: Mapping[str, Any]) -> dict[str, Any]:
        return {**row, id_key: self.new_entry_id()}

    def _check_required(
        self, form: Form, header: Mapping[str, Any], entries: Mapping[str, list[dict[str, Any]]]
    ) -> None:
        for f in form.fields:
            if f.required and header.get(f.key) in (None, ""):
                raise RowError(f"字段“{f.label}”是必填项。", f.key)
        for entry in form.entries:
            for row in entries.get(entry.key, []):
                for f in entry.fields:
                    if f.required and row.get(f.key) in (None, ""):
                        raise RowError(
                            f"第{entries[entry.key].index(row) + 1}行字段“{f.label}”是必填项。",
                            f.key,
                        )

    # -- value parsing ----------------------------------------------------------------
    def _normalise(
        self, form: Form, model: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
        """Model keys (any casing, sub-heads flattened) to canonical keys and typed values."""
        header: dict[str, Any] = {}
        entries: dict[str, list[dict[str, Any]]] = {}
        flat: list[tuple[str, Any]] = []
        for key, value in model.items():
            if form.is_subhead(key) and isinstance(value, Mapping):
                flat.extend(value.items())
            else:
                flat.append((key, value))
        for key, value in flat:
            entry = form.entry(key)
            if entry is not None:
                if not isinstance(value, list):
                    raise RowError(f"单据体“{entry.key}”的值必须是数组。", entry.key)
                entries[entry.key] = [self._row(form, entry.key, row) for row in value]
                continue
            f = form.header_field(key)
            if f is None or f.computed or (f.system and f.key != form.id_key):
                continue  # the server ignores keys it does not know and fields it computes
            header[f.key] = self._value(form, f, value)
        return header, entries

    def _row(self, form: Form, entry_key: str, row: Any) -> dict[str, Any]:
        if not isinstance(row, Mapping):
            raise RowError(f"单据体“{entry_key}”的行必须是对象。", entry_key)
        entry = form.entry(entry_key)
        assert entry is not None
        out: dict[str, Any] = {}
        for key, value in row.items():
            found = form.entry_of(key)
            if found is None or found[0] is not entry:
                continue
            f = found[1]
            if f.key == entry.id_key:
                out[f.key] = _as_int(value or 0)
            elif not f.computed and not f.system:
                out[f.key] = self._value(form, f, value)
        return out

    def _value(self, form: Form, f: Field, value: Any) -> Any:
        if value is None or value == "":
            return None
        try:
            return self._typed(form, f, value)
        except (ValueError, InvalidOperation, TypeError):
            raise RowError(f"字段“{f.label}”的值“{value}”格式不正确。", f.key) from None

    def _typed(self, form: Form, f: Field, value: Any) -> Any:
        kind = f.kind
        if kind == "ref":
            return self._reference(form, f, value)
        if kind == "decimal":
            if isinstance(value, bool):
                raise ValueError("bool")
            return Decimal(str(value))
        if kind == "int":
            return _as_int(value)
        if kind == "bool":
            return value if isinstance(value, bool) else str(value).strip().lower() == "true"
        if kind == "date":
            return parse_server_datetime(str(value)).date()
        if kind == "datetime":
            return parse_server_datetime(str(value))
        return str(value)

    def _reference(self, form: Form, f: Field, value: Any) -> str | None:
        if not isinstance(value, Mapping):
            raise RowError(
                f'字段“{f.label}”是基础资料，值必须是对象，如 {{"FNumber": "..."}}。', f.key
            )
        number = next(
            (v for k, v in value.items() if k.lower() in ("fnumber", "fuserid", "fcontactnumber")),
            None,
        )
        if number in (None, ""):
            return None
        number = str(number)
        if f.ref == "BD_Customer":
            customers = self.tables["bd_customer"]
            target = customers.find(number)
            if target is None or target.header.get("FForbidStatus") == "B":
                raise RowError(f"字段“{f.label}”的值“{number}”在基础资料中不存在或已禁用。", f.key)
        elif f.ref == "BILLTYPE" and form.bill_types and number not in form.bill_types:
            raise RowError(f"单据类型“{number}”不存在。", f.key)
        elif f.ref in BASE_DATA and number not in BASE_DATA[f.ref]:
            raise RowError(f"字段“{f.label}”的值“{number}”在基础资料中不存在。", f.key)
        return number

    # -- operations -------------------------------------------------------------------
    def operate(self, table: Table, op: str, bill: Bill) -> None:
        """Submit / Audit / UnAudit / CancelAssign / Delete one record, or ``RowError``."""
        form = table.form
        number = bill.header[form.number_key]
        status = bill.status
        transitions = {
            "submit": ({"A", "D", "Z"}, "B"),
            "audit": ({"B"}, "C"),
            "unaudit": ({"C"}, "D"),
            "cancelassign": ({"B"}, "A"),
        }
        if op == "delete":
            if status not in EDITABLE:
                raise RowError(f"{number}：单据状态为“{STATUS_NAMES[status]}”，不允许删除。")
            del table.bills[bill.id]
            del table.by_number[number]
            return
        allowed, target = transitions[op]
        if status not in allowed:
            verb = {"submit": "提交", "audit": "审核", "unaudit": "反审核", "cancelassign": "撤销"}[
                op
            ]
            raise RowError(f"{number}：单据状态为“{STATUS_NAMES[status]}”，不允许{verb}。")
        now = self.now()
        bill.header["FDocumentStatus"] = target
        if op == "audit" and form.header_field("FApproveDate"):
            bill.header["FApproveDate"] = now
        if op == "unaudit" and form.header_field("FApproveDate"):
            bill.header["FApproveDate"] = None
        if self.touch_on_status:
            bill.header["FModifyDate"] = now

    def touch(self, table: Table, bill: Bill, at: datetime) -> None:
        """A user's edit at ``at``: the name gains a mark, the modify date moves."""
        bill.header["FModifyDate"] = millis(at)
        name_key = "FName" if table.form.header_field("FName") else None
        if name_key:
            name = str(bill.header.get(name_key) or "")
            bill.header[name_key] = name.rstrip("*") + "*"
        elif table.form.header_field("FNote"):
            bill.header["FNote"] = str(bill.header.get("FNote") or "") + "（已修改）"


def millis(value: datetime) -> datetime:
    """``value`` in server time, truncated to whole milliseconds."""
    local = value.astimezone(SERVER_TZ)
    return local.replace(microsecond=local.microsecond // 1000 * 1000)


def _compute(form: Form, bill: Bill) -> None:
    for entry in form.entries:
        if entry.compute is not None:
            for row in bill.entries.get(entry.key, []):
                entry.compute(row)
    if form.compute is not None:
        form.compute(bill.header, bill.entries)


def _not_editable(form: Form, bill: Bill) -> str:
    number = bill.header[form.number_key]
    if bill.status == "C":
        return f"{number}：单据已审核，不允许修改。"
    return f"{number}：单据状态为“{STATUS_NAMES[bill.status]}”，不允许修改。"


def _lookup(mapping: Mapping[str, Any], key: str) -> Any:
    lowered = key.lower()
    return next((v for k, v in mapping.items() if k.lower() == lowered), None)


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("bool is not an id")
    if isinstance(value, Decimal | float):
        return int(value)
    return int(str(value).strip())


def as_date(value: Any) -> date | None:
    """A stored date-ish value as a date (datetimes keep their local date)."""
    if isinstance(value, datetime):
        return value.astimezone(SERVER_TZ).date()
    return value if isinstance(value, date) else None
