"""The shipped mappings applied to what the connector reads and writes (no sync engine)."""

from __future__ import annotations

from pathlib import Path

from connectors.sdk import WriteRequest
from connectors.zentao import ZentaoConnector
from connectors.zentao.sandbox import ZentaoSandbox
from hub.mapping.loader import load_dir
from hub.model.registry import DATA_MODELS

MAPPINGS = load_dir(Path(__file__).parents[4] / "mappings" / "zentao", connectors=["zentao"])
CONTRACT = MAPPINGS[("zentao", "projects")]
MILESTONE = MAPPINGS[("zentao", "executions")]


async def test_every_project_maps_to_a_valid_contract(connector: ZentaoConnector) -> None:
    pages = [p async for p in connector.read("projects")]
    for record in (r for p in pages for r in p.records):
        mapped = CONTRACT.apply_in(record)
        contract = DATA_MODELS["contract"].model_validate(mapped.values)
        assert contract.number == record["code"]  # type: ignore[attr-defined]
        assert not str(contract.title).startswith(record["code"])  # type: ignore[attr-defined]


async def test_execution_states_map_to_milestone_statuses(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    pages = [p async for p in connector.read("executions")]
    seen: dict[str, set[str]] = {}
    for record in (r for p in pages for r in p.records):
        mapped = MILESTONE.apply_in(record, resolve=lambda entity, rid, key: f"hub-{rid}")
        milestone = DATA_MODELS["milestone"].model_validate(mapped.values)
        seen.setdefault(record["status"], set()).add(str(milestone.status))  # type: ignore[attr-defined]
        if record["status"] == "closed":
            assert milestone.accepted_at is not None  # type: ignore[attr-defined]
    assert seen["wait"] == {"planned"}
    assert seen["closed"] == {"accepted"}
    assert seen["doing"] == {"in_progress", "delivered"}  # delivered: all hours burnt down


async def test_closing_an_execution_makes_the_milestone_accepted(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    pages = [p async for p in connector.read("executions")]
    record = next(r for p in pages for r in p.records if r["status"] == "doing")
    sandbox.clock.advance(60)
    sandbox.close_execution(str(record["id"]))
    changed = [
        r async for p in connector.read("executions", pages[-1].cursor) for r in [*p.records]
    ]
    mapped = MILESTONE.apply_in(changed[0], resolve=lambda entity, rid, key: "hub-contract")
    assert mapped.values["status"] == "accepted"
    assert mapped.values["accepted_at"] is not None


async def test_a_contract_mapped_out_creates_a_findable_project(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    contract = DATA_MODELS["contract"].model_validate(
        {
            "number": "HT2099-00001",
            "title": "链上存证平台开发",
            "amount": "350000.00",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
        }
    )
    data = CONTRACT.apply_out(contract.model_dump())
    [created] = await connector.write("projects", [WriteRequest(data, "hub-contract-1")])
    assert created.status == "created", created.error
    stored = sandbox.get_record("projects", created.remote_id or "")
    assert stored is not None
    assert (stored["code"], stored["name"], stored["budget"]) == (
        "HT2099-00001",
        "HT2099-00001 链上存证平台开发",
        "350000.00",
    )
    milestone = MILESTONE.apply_out(
        {"contract_id": "hub-contract-1", "name": "上线验收", "due_date": "2026-06-30"},
        resolve=lambda entity, key, kind: created.remote_id,
    )
    [execution] = await connector.write("executions", [WriteRequest(milestone, "hub-ms-1")])
    assert execution.status == "created", execution.error
    again = CONTRACT.apply_in(
        (await connector.lookup("projects", ["hub-contract-1"]))["hub-contract-1"]
    )
    assert again.values["number"] == "HT2099-00001"
    assert again.values["amount"] == contract.amount  # type: ignore[attr-defined]
