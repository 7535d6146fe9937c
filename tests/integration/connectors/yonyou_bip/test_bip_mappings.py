"""The YonBIP mappings against the sandbox: every seeded record maps to a valid canonical row,
and what the outbound side writes is accepted by the vendor and reads back the same."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from connectors.sdk import WriteRequest
from connectors.yonyou_bip import YonyouBipConnector
from connectors.yonyou_bip.sandbox import YonyouBipSandbox
from hub.mapping import load_file
from hub.model import validate

MAPPINGS = Path(__file__).parents[4] / "mappings" / "yonyou_bip"
FILES = {
    "customers": "customer.yaml",
    "sales_orders": "contract.yaml",
    "sales_invoices": "invoice.yaml",
    "receivables": "receivable.yaml",
    "receipts": "payment.yaml",
}


LINKS: dict[str, str] = {}
"""hub id -> remote identifier, as the link table would hold them."""


def to_hub(entity: str, remote: str, key: str) -> str:
    hub_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{entity}/{key}/{remote}"))
    LINKS[hub_id] = remote
    return hub_id


def to_remote(entity: str, hub_id: str, key: str) -> str:
    return LINKS[hub_id]


async def read_all(connector: YonyouBipConnector, stream: str) -> list[dict[str, Any]]:
    return [record async for page in connector.read(stream) for record in page.records]


@pytest.mark.parametrize("stream", list(FILES))
async def test_seeded_records_map_to_valid_canonical_rows_and_back(
    stream: str, connector: YonyouBipConnector, sandbox: YonyouBipSandbox
) -> None:
    mapping = load_file(MAPPINGS / FILES[stream])
    assert mapping.spec.stream == stream
    if stream == "receivables":
        sandbox.reset(stream, 3)
    records = await read_all(connector, stream)
    assert records
    canonical = []
    for record in records:
        mapped = mapping.apply_in(record, to_hub)
        assert mapped.unresolved == {}
        row = validate(mapping.spec.entity, mapped.values)  # raises with field-level reasons
        canonical.append(row.model_dump())
    source = canonical[0]
    copy = {**source, "number": f"{source['number']}-RT"}
    outbound = mapping.apply_out(copy, resolve=to_remote)
    [written] = await connector.write(stream, [WriteRequest(outbound, "hub-roundtrip")])
    assert written.status == "created", written.error
    stored = sandbox.get_record(stream, written.remote_id or "")
    assert stored is not None
    back = validate(mapping.spec.entity, mapping.apply_in(stored, to_hub).values).model_dump()
    both = [f.name for f in mapping.fields if f.spec.effective_direction == "both"]
    assert {name: back[name] for name in both} == {name: copy[name] for name in both}


async def test_customer_names_are_the_finance_spelling(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox
) -> None:
    mapping = load_file(MAPPINGS / "customer.yaml")
    records = await read_all(connector, "customers")
    names = {mapping.apply_in(r).values["name"] for r in records}
    assert names == {c.alt_name for c in sandbox.universe.companies}
