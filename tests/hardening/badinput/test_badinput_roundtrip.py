"""Property: canonical -> remote -> canonical is the identity on every field a mapping owns both ways.

For every mapping file in ``mappings/``, hypothesis generates valid canonical
records (Chinese and emoji text at full length, quotes and SQL-ish fragments,
amounts up to the model's ceiling, every currency, dates across the whole
range), maps them out with ``apply_out``, sends them over the wire as JSON,
lets the vendor derive what the vendor derives (``VENDOR``: totals it computes
from lines, a full name from its parts, a status from a workflow transition),
maps them back with ``apply_in`` and validates. Every field mapped both ways
must come back equal; references travel through a pair of resolvers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from hardening_records import Target, canonical_records
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.mapping import CompiledMapping, load_file, mapping_files
from hub.mapping.compiled import _key
from hub.model import validate

REPO = Path(__file__).resolve().parents[3]
FILES = mapping_files(REPO / "mappings")
CENT = Decimal("0.01")


def _lines_total(lines: list[dict[str, Any]], quantity: str, price: str) -> Decimal:
    return sum(
        (
            (Decimal(str(row.get(quantity) or 0)) * Decimal(str(row.get(price) or 0))).quantize(
                CENT, ROUND_HALF_UP
            )
            for row in lines or []
        ),
        Decimal(0),
    )


def _zoho_full_name(remote: dict[str, Any]) -> None:
    remote["Full_Name"] = " ".join(
        p for p in (remote.get("First_Name"), remote.get("Last_Name")) if p
    )


def _zoho_sub_total(remote: dict[str, Any]) -> None:
    remote["Sub_Total"] = str(_lines_total(remote.get("Invoiced_Items"), "Quantity", "List_Price"))


def _kingdee_bill_amount(remote: dict[str, Any]) -> None:
    remote["FBillAmount"] = str(_lines_total(remote.get("FSaleOrderEntry"), "FQty", "FPrice"))


def _jira_transition(remote: dict[str, Any]) -> None:
    category, _, resolution = str(remote.pop("transition_to", "") or "").partition("/")
    fields = remote.setdefault("fields", {})
    fields["status"] = {"statusCategory": {"key": category}}
    fields["resolution"] = {"name": resolution} if resolution else None
    fields["resolutiondate"] = "2026-03-01T10:00:00.000+0800" if resolution else None
    remote["key"] = "DLV-7"


def _bip_customer(remote: dict[str, Any]) -> None:
    remote["customer"] = remote.get("customer_code")  # written as code-or-id, read back as id


VENDOR: dict[str, Callable[[dict[str, Any]], None]] = {
    "yonyou_bip/payment": _bip_customer,
    "yonyou_bip/receivable": _bip_customer,
    "zoho_crm/contact": _zoho_full_name,  # Full_Name is read-only: First_Name + Last_Name
    "zoho_crm/invoice": _zoho_sub_total,  # Sub_Total is computed from the invoiced items
    "kingdee/contract": _kingdee_bill_amount,  # FBillAmount: sum of FQty * FPrice of the lines
    "jira/milestone": _jira_transition,  # a transition sets status category and resolution
}
"""What each vendor computes from what the hub writes (the sandboxes do the same)."""

ECHO: dict[str, Callable[[str], str]] = {
    "jira/milestone": lambda remote: remote if "/" in remote else remote + "/",
}
"""How a vendor reads back a mapped enumeration value it was sent (Jira: category/resolution)."""

FALLBACKS: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
    ("zentao/contract", "start_date"): lambda r: (
        min(d for d in (r["sign_date"], r["end_date"]) if d) if r["sign_date"] else None
    ),
}
"""(mapping, field) -> what is written when the field is empty: ZenTao requires a project
begin, and contracts from a finance system often carry only the signing date (never later
than the end, or the project would be refused and read back invalid)."""

LOSSY = {
    (
        "yonyou_u8/invoice",
        "kind",
        "other",
    ): "U8 sales invoices are special (26) or normal (27) only",
}
"""Value-map entries that cannot come back as themselves, and why."""


class VendorRecord(dict[str, Any]):
    """A record as vendors return it: every field they have, null when empty (never missing)."""

    def __missing__(self, key: str) -> None:
        return None


def wire(remote: dict[str, Any]) -> dict[str, Any]:
    """The remote record as the vendor receives it (JSON, Decimals as exact text) and returns it."""

    def encode(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, date | datetime):
            return value.isoformat()
        raise TypeError(f"not JSON: {value!r}")

    decoded: dict[str, Any] = json.loads(
        json.dumps(remote, default=encode, ensure_ascii=False), object_hook=VendorRecord
    )
    return decoded


def both_ways(mapping: CompiledMapping) -> list[str]:
    """Canonical fields the mapping reads and writes."""
    return [f.name for f in mapping.fields if f.get_in is not None and f.out_path is not None]


def name_of(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def test_every_mapping_is_covered_and_owns_fields_both_ways() -> None:
    assert len(FILES) >= 20
    owning = {name_of(p): both_ways(load_file(p)) for p in FILES}
    assert sum(map(len, owning.values())) > 60, owning


def test_many_to_one_value_maps_are_the_known_ones() -> None:
    lossy = set()
    for path in FILES:
        echo = ECHO.get(name_of(path), str)
        for compiled in load_file(path).fields:
            if compiled.values_out is None or compiled.values_in is None:
                continue
            for canonical, remote in compiled.values_out.items():
                if compiled.values_in.get(echo(_key(remote))) != canonical:
                    lossy.add((name_of(path), compiled.name, canonical))
    assert lossy == set(LOSSY)


@pytest.mark.parametrize("path", FILES, ids=name_of)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_canonical_to_remote_to_canonical_is_the_identity(path: Path, data: st.DataObject) -> None:
    mapping = load_file(path)
    owned = both_ways(mapping)
    target = Target(name_of(path), mapping, ECHO.get(name_of(path), str))
    record = data.draw(canonical_records(target), label="canonical")
    remote_ids: dict[str, str] = {}

    def out(entity: str, hub_id: str, ref_key: str) -> str:
        remote_ids[f"R-{entity}-{ref_key}-{hub_id[:8]}"] = hub_id
        return f"R-{entity}-{ref_key}-{hub_id[:8]}"

    def back(entity: str, remote_id: str, ref_key: str) -> str | None:
        return remote_ids.get(remote_id)

    remote = wire(mapping.apply_out(record, {}, out))
    derive = VENDOR.get(name_of(path))
    if derive is not None:
        derive(remote)
    mapped = mapping.apply_in(remote, back)
    assert mapped.unresolved == {}
    returned = validate(mapping.spec.entity, {**record, **{f: mapped.values[f] for f in owned}})
    again = {k: (v.value if hasattr(v, "value") else v) for k, v in returned.model_dump().items()}
    expected = dict(record)
    for (name, field), fallback in FALLBACKS.items():
        if name == name_of(path) and expected[field] is None:
            expected[field] = fallback(record)
    differences = {f: (expected[f], again[f]) for f in owned if expected[f] != again[f]}
    assert differences == {}, f"{name_of(path)} sent {remote}"
