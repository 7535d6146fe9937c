"""Writing to the YonBIP sandbox over HTTP: MDD idempotency, lost answers, batch results."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.sdk import TransientError, WriteRequest
from connectors.yonyou_bip import YonyouBipConnector
from connectors.yonyou_bip.sandbox import PATHS, YonyouBipSandbox

KEY_FIELD = "defines!define1"
MDD = {
    "customers": PATHS["customers"]["insert"][1],
    "sales_orders": PATHS["sales_orders"]["save"][1],
    "sales_invoices": PATHS["sales_invoices"]["save"][1],
    "receipts": PATHS["receipts"]["save"][1],
}
GATEWAY = "/iuap-api-gateway"


def holding(sandbox: YonyouBipSandbox, stream: str, key: str) -> list[str]:
    """Ids of the sandbox records carrying external key ``key``."""
    with sandbox.lock:
        return [rid for rid, r in sandbox.store.records[stream].items() if r.get(KEY_FIELD) == key]


@pytest.mark.parametrize("stream", list(MDD))
async def test_lost_answer_after_commit_creates_nothing_twice(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox, stream: str
) -> None:
    before = len(sandbox.remote_ids(stream))
    sandbox.faults.inject("reset", path=MDD[stream])  # commits, then drops the answer
    [result] = await connector.write(
        stream, [WriteRequest(sandbox.sample_record(stream, 1), "hub-lost")]
    )
    assert result.status == "created"
    assert sandbox.requests[("POST", GATEWAY + MDD[stream])] == 2  # the retry reached the vendor
    assert holding(sandbox, stream, "hub-lost") == [result.remote_id]
    assert len(sandbox.remote_ids(stream)) == before + 1


@pytest.mark.parametrize("stream", ["customers", "receipts"])
async def test_a_whole_failed_call_retried_later_finds_the_same_record(
    make_connector: Any, sandbox: YonyouBipSandbox, stream: str
) -> None:
    first = make_connector(http={"max_attempts": 2, "max_backoff": 0.01})
    sandbox.faults.inject("reset", times=2, path=MDD[stream])
    with pytest.raises(TransientError):
        await first.write(stream, [WriteRequest(sandbox.sample_record(stream, 2), "hub-crash")])
    await first.aclose()
    [committed] = holding(sandbox, stream, "hub-crash")  # the vendor did save it
    second = make_connector()  # a new process after the crash, same hub id
    [result] = await second.write(
        stream, [WriteRequest(sandbox.sample_record(stream, 2), "hub-crash")]
    )
    assert (result.status, result.remote_id) == ("created", committed)
    sandbox.clock.advance(3601)  # past the replay window: the vendor answers 100004 with the id
    [late] = await second.write(
        stream, [WriteRequest(sandbox.sample_record(stream, 2), "hub-crash")]
    )
    assert late.remote_id == committed
    assert holding(sandbox, stream, "hub-crash") == [committed]
    assert (await second.lookup(stream, ["hub-crash"]))["hub-crash"]["id"] == committed
    await second.aclose()


async def test_lost_answer_of_a_batch_save_is_looked_up_not_resent(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox
) -> None:
    save = GATEWAY + PATHS["receivables"]["batch_save"][1]
    sandbox.faults.inject("reset", path=PATHS["receivables"]["batch_save"][1])
    requests = [WriteRequest(sandbox.sample_record("receivables", n), f"ar-{n}") for n in range(3)]
    results = await connector.write("receivables", requests)
    assert [r.status for r in results] == ["created"] * 3
    assert sandbox.requests[("POST", save)] == 1
    for n, result in enumerate(results):
        assert holding(sandbox, "receivables", f"ar-{n}") == [result.remote_id]


async def test_batch_save_reports_each_row_while_the_envelope_says_200(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox
) -> None:
    bad, word = sandbox.invalid_record("receivables")
    requests = [
        WriteRequest(sandbox.sample_record("receivables", 1), "r1"),
        WriteRequest(bad, "r2"),
        WriteRequest(sandbox.sample_record("receivables", 3), "r3"),
    ]
    results = await connector.write("receivables", requests)
    assert [r.status for r in results] == ["created", "failed", "created"]
    assert word in (results[1].error or "")
    assert holding(sandbox, "receivables", "r2") == []


@pytest.mark.parametrize("stream", [*MDD, "receivables"])
async def test_invalid_record_fails_alone_with_the_vendor_words(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox, stream: str
) -> None:
    bad, word = sandbox.invalid_record(stream)
    good = sandbox.sample_record(stream, 5)
    results = await connector.write(stream, [WriteRequest(bad, "bad"), WriteRequest(good, "good")])
    assert [r.status for r in results] == ["failed", "created"]
    assert word in (results[0].error or "")
    assert sandbox.get_record(stream, results[1].remote_id or "") is not None


async def test_update_changes_header_and_keeps_the_id(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox
) -> None:
    [created] = await connector.write(
        "sales_orders", [WriteRequest(sandbox.sample_record("sales_orders", 1), "so-1")]
    )
    data: dict[str, Any] = {
        "memo": "改过的合同",
        "payMoney": "1001.50",
        "orderDetails": [{"productId": "SVC", "qty": 1, "oriSum": "1001.50"}],
    }
    [updated] = await connector.write(
        "sales_orders", [WriteRequest(data, "so-1", remote_id=created.remote_id)]
    )
    assert (updated.status, updated.remote_id) == ("updated", created.remote_id)
    stored = sandbox.get_record("sales_orders", created.remote_id or "")
    assert stored is not None
    assert stored["memo"] == "改过的合同"


async def test_update_of_a_missing_record_fails_alone(connector: YonyouBipConnector) -> None:
    [result] = await connector.write(
        "customers", [WriteRequest({"name": "x"}, "k", remote_id="404")]
    )
    assert result.status == "failed"
    assert result.vendor_code == "1002"


async def test_created_customer_reads_back_with_its_hub_id(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox
) -> None:
    [created] = await connector.write(
        "customers", [WriteRequest({"name": {"simplifiedName": "新客户有限公司"}}, "hub-new")]
    )
    stored = sandbox.get_record("customers", created.remote_id or "")
    assert stored is not None
    assert stored[KEY_FIELD] == "hub-new"
    assert stored["code"].startswith("SH")  # derived from the hub id when the mapping sends none
    found = await connector.lookup("customers", ["hub-new", "hub-none"])
    assert list(found) == ["hub-new"]
