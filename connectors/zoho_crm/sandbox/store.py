"""The simulated org's records and the rules every write obeys.

Records are kept in a neutral internal form (lookups as ids, money as Decimal,
times as aware datetimes) and rendered in Zoho's wire shape on the way out, so
a renamed account shows its new name in every lookup, as in the real CRM.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from connectors.zoho_crm.sandbox.schema import FieldDef, ModuleDef

Record = dict[str, Any]
CENT = Decimal("0.01")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEXTUAL = frozenset({"text", "textarea", "email", "phone", "website", "picklist", "autonumber"})
_NUMERIC = frozenset({"double", "currency", "decimal", "percent"})


class WriteRefused(Exception):
    """One record refused; ``item`` is the per-record answer Zoho sends."""

    def __init__(self, item: dict[str, Any]) -> None:
        super().__init__(item.get("code"))
        self.item = item


def record_error(code: str, message: str, **details: Any) -> dict[str, Any]:
    """A per-record (or top-level) Zoho error object."""
    return {"code": code, "details": details, "message": message, "status": "error"}


class Org:
    """Modules, records, deleted-record log and id sequence of one org."""

    def __init__(
        self,
        modules: dict[str, ModuleDef],
        *,
        now: Callable[[], datetime],
        tz: tzinfo,
        user: dict[str, str],
        id_prefix: str = "7153000",
    ) -> None:
        self.modules = modules
        self._now = now
        self.tz = tz
        self.user = user
        self.id_prefix = id_prefix
        self._seq = 1_000_000
        self.records: dict[str, dict[str, Record]] = {m: {} for m in modules}
        self.deleted: dict[str, list[Record]] = {m: [] for m in modules}

    # -- basics ------------------------------------------------------------------------
    def new_id(self) -> str:
        """A 19-digit id, as Zoho's (too large for a JSON double)."""
        self._seq += 1
        return f"{self.id_prefix}{self._seq:012d}"

    def now(self) -> datetime:
        """Sandbox time at Zoho's one-second resolution."""
        return self._now().replace(microsecond=0)

    def fmt(self, when: datetime) -> str:
        """A datetime the way Zoho prints it: the user's offset, seconds."""
        return when.astimezone(self.tz).isoformat(timespec="seconds")

    def owner(self) -> dict[str, str]:
        """The current user as an owner lookup."""
        return dict(self.user)

    def module(self, name: str) -> ModuleDef | None:
        """A module by API name (case-insensitive, as Zoho resolves them)."""
        if name in self.modules:
            return self.modules[name]
        for key, module in self.modules.items():
            if key.lower() == name.lower():
                return module
        return None

    def name_of(self, module: str, rid: str) -> str | None:
        """The display name of a record, for rendering lookups."""
        target = self.records.get(module, {}).get(rid)
        if target is None:
            return None
        return _display(self.modules[module], target)

    # -- rendering ---------------------------------------------------------------------
    def render(
        self, module: ModuleDef, record: Record, fields: Iterable[str] | None = None
    ) -> Record:
        """A record in wire shape; ``fields`` limits it (lists), ``None`` gives everything."""
        wanted = list(module.by_name) if fields is None else list(fields)
        out: Record = {}
        for name in wanted:
            fd = module.by_name.get(name)
            if fd is None:
                continue
            if fd.data_type == "subform" and fields is not None:
                continue  # subforms never come back from list calls
            out[name] = self._render_value(fd, record, name)
        out["id"] = record["id"]
        return out

    def _render_value(self, fd: FieldDef, record: Record, name: str) -> Any:
        value = record.get(name)
        if fd.api_name == "Full_Name":
            return " ".join(p for p in (record.get("First_Name"), record.get("Last_Name")) if p)
        if isinstance(value, datetime):
            return self.fmt(value)
        if fd.data_type == "lookup" and value is not None:
            target = fd.lookup or ""
            if self.records.get(target, {}).get(value) is None:
                return None
            return {"name": self.name_of(target, value), "id": value}
        if fd.data_type == "subform":
            sub = self.modules[fd.subform or ""]
            rows = []
            for row in value or []:
                rendered = {
                    k: self._render_value(sub.by_name[k], row, k) for k in row if k in sub.by_name
                }
                rendered["id"] = row["id"]
                rendered["Parent_Id"] = {"name": _display_any(self, record), "id": record["id"]}
                rows.append(rendered)
            return rows
        return value

    def deleted_entry(self, module: ModuleDef, record: Record) -> Record:
        """A deleted-records list entry for ``record``, deleted now."""
        return {
            "id": record["id"],
            "display_name": _display(module, record),
            "type": "recycle",
            "deleted_time": self.now(),
            "deleted_by": {"name": self.user["name"], "id": self.user["id"]},
            "created_by": {"name": self.user["name"], "id": self.user["id"]},
        }

    # -- writes --------------------------------------------------------------------------
    def find(self, module: ModuleDef, field: str, value: Any) -> Record | None:
        """The record whose ``field`` equals ``value`` (case-insensitive for text)."""
        if value in (None, ""):
            return None
        wanted = _fold(value)
        for record in self.records[module.api_name].values():
            if _fold(record.get(field)) == wanted:
                return record
        return None

    def apply(
        self, module: ModuleDef, item: dict[str, Any], index: int, target: Record | None
    ) -> Record:
        """Validate ``item`` and store it (new record when ``target`` is None); raise ``WriteRefused``."""
        path = f"$.data[{index}]"
        changes: Record = {}
        for key, value in item.items():
            fd = module.by_name.get(key)
            if fd is None or fd.read_only or key == "id" or key.startswith("$"):
                continue
            if fd.data_type == "subform":
                changes[key] = self._rows(module, fd, value, f"{path}.{key}", target)
            else:
                changes[key] = self.check(fd, value, f"{path}.{key}")
        merged = {**(target or {}), **changes}
        for fd in module.fields:
            if fd.mandatory and merged.get(fd.api_name) in (None, "", []):
                raise WriteRefused(
                    record_error(
                        "MANDATORY_NOT_FOUND", "required field not found",
                        api_name=fd.api_name, json_path=f"{path}.{fd.api_name}",
                    )
                )  # fmt: skip
        for name in module.unique_fields:
            other = self.find(module, name, merged.get(name))
            if other is not None and (target is None or other["id"] != target["id"]):
                raise WriteRefused(self._duplicate(module, name, path, other))
        now = self.now()
        if target is None:
            merged.update(
                id=self.new_id(), Created_Time=now, Created_By=self.owner(), Owner=self.owner()
            )
        merged.update(Modified_Time=now, Modified_By=self.owner())
        if module.inventory_items:
            totals(merged, module.inventory_items)
        self.records[module.api_name][merged["id"]] = merged
        return merged

    def _duplicate(self, module: ModuleDef, name: str, path: str, other: Record) -> dict[str, Any]:
        return record_error(
            "DUPLICATE_DATA", "duplicate data",
            api_name=name, json_path=f"{path}.{name}",
            duplicate_record={
                "Owner": self.owner(),
                "module": {"api_name": module.api_name, "id": module.id},
                "id": other["id"],
            },
            more_records=False,
        )  # fmt: skip

    def _rows(
        self, module: ModuleDef, fd: FieldDef, rows: Any, path: str, target: Record | None
    ) -> list[Record]:
        if not isinstance(rows, list):
            raise WriteRefused(
                record_error("INVALID_DATA", "invalid data", api_name=fd.api_name,
                             json_path=path, expected_data_type="jsonarray")
            )  # fmt: skip
        sub = self.modules[fd.subform or ""]
        existing = {r["id"]: r for r in (target or {}).get(fd.api_name) or []}
        out: list[Record] = []
        for n, row in enumerate(rows):
            row_path = f"{path}[{n}]"
            if not isinstance(row, dict):
                raise WriteRefused(
                    record_error("INVALID_DATA", "invalid data", api_name=fd.api_name,
                                 json_path=row_path, expected_data_type="jsonobject")
                )  # fmt: skip
            rid = str(row["id"]) if row.get("id") else None
            if rid is not None and rid not in existing:
                raise WriteRefused(
                    record_error("INVALID_DATA", "the id given seems to be invalid",
                                 api_name="id", json_path=f"{row_path}.id")
                )  # fmt: skip
            if "_delete" in row:
                continue
            stored = dict(existing[rid]) if rid else {"id": self.new_id()}
            for key, value in row.items():
                sfd = sub.by_name.get(key)
                if sfd is None or sfd.read_only or key == "id":
                    continue
                stored[key] = self.check(sfd, value, f"{row_path}.{key}")
            for sfd in sub.fields:
                if sfd.mandatory and stored.get(sfd.api_name) in (None, ""):
                    raise WriteRefused(
                        record_error("MANDATORY_NOT_FOUND", "required field not found",
                                     api_name=sfd.api_name, json_path=f"{row_path}.{sfd.api_name}")
                    )  # fmt: skip
            out.append(stored)
        return out

    def check(self, fd: FieldDef, value: Any, path: str) -> Any:
        """The value to store for ``fd``, or ``WriteRefused`` with Zoho's reason."""
        if value is None:
            return None

        def invalid(**extra: Any) -> WriteRefused:
            return WriteRefused(
                record_error(
                    "INVALID_DATA", "invalid data", api_name=fd.api_name, json_path=path, **extra
                )
            )

        kind = fd.data_type
        if kind in _TEXTUAL:
            if not isinstance(value, str):
                raise invalid(expected_data_type=kind)
            if fd.length is not None and len(value) > fd.length:
                raise invalid(maximum_length=fd.length)
            if kind == "email" and value and not _EMAIL.match(value):
                raise invalid(expected_data_type="email")
            return value
        if kind in _NUMERIC:
            if isinstance(value, bool):
                raise invalid(expected_data_type=kind)
            try:
                return (
                    Decimal(str(value))
                    if isinstance(value, int | float | Decimal | str)
                    else _bad()
                )
            except (InvalidOperation, ValueError):
                raise invalid(expected_data_type=kind) from None
        if kind in ("integer", "bigint"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise invalid(expected_data_type=kind)
            return value
        if kind == "boolean":
            if not isinstance(value, bool):
                raise invalid(expected_data_type=kind)
            return value
        if kind == "date":
            try:
                return date.fromisoformat(value).isoformat() if isinstance(value, str) else _bad()
            except ValueError:
                raise invalid(expected_data_type="date") from None
        if kind == "lookup":
            rid = value.get("id") if isinstance(value, dict) else value
            if not isinstance(rid, str | int) or str(rid) not in self.records.get(
                fd.lookup or "", {}
            ):
                raise WriteRefused(
                    record_error("INVALID_DATA", "the id given seems to be invalid",
                                 api_name=fd.api_name, json_path=path)
                )  # fmt: skip
            return str(rid)
        if kind == "multiselectpicklist":
            if not isinstance(value, list):
                raise invalid(expected_data_type="jsonarray")
            return value
        return value


def _bad() -> Any:
    raise ValueError("unsupported value")


def totals(record: Record, items_field: str) -> None:
    """Recompute line and record totals of an inventory record, half-up to the cent."""
    sub_total = tax_total = Decimal(0)
    for row in record.get(items_field) or []:
        quantity = Decimal(row.get("Quantity") or 0)
        price = Decimal(row.get("List_Price") or 0)
        discount = Decimal(row.get("Discount") or 0)
        total = (quantity * price).quantize(CENT, ROUND_HALF_UP)
        after = total - discount
        taxes = []
        line_tax = Decimal(0)
        for tax in row.get("Line_Tax") or []:
            if not isinstance(tax, dict):
                continue
            pct = Decimal(str(tax.get("percentage") or 0))
            value = (after * pct / 100).quantize(CENT, ROUND_HALF_UP)
            line_tax += value
            taxes.append({"name": tax.get("name"), "percentage": pct, "value": value})
        row.update(
            Total=total, Total_After_Discount=after, Tax=line_tax,
            Net_Total=after + line_tax, Line_Tax=taxes,
        )  # fmt: skip
        sub_total += after
        tax_total += line_tax
    adjustment = Decimal(record.get("Adjustment") or 0)
    record.update(
        Sub_Total=sub_total, Tax=tax_total, Grand_Total=sub_total + tax_total + adjustment
    )


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _display(module: ModuleDef, record: Record) -> str | None:
    if module.name_field == "Full_Name":
        return " ".join(p for p in (record.get("First_Name"), record.get("Last_Name")) if p)
    value = record.get(module.name_field)
    return None if value is None else str(value)


def _display_any(org: Org, record: Record) -> str | None:
    for name, records in org.records.items():
        if records.get(record["id"]) is record:
            return _display(org.modules[name], record)
    return None


def shift(when: datetime, **delta: float) -> datetime:
    """``when`` moved by a timedelta; a small helper for seeding."""
    return when + timedelta(**delta)
