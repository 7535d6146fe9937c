"""The U8 connector against the U8 sandbox over HTTP: reads, async adds, biz_id / tradeid."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from connectors.sdk import Page, TransientError, WriteRequest, install_log_masking
from connectors.sdk.sandbox import SandboxServer
from connectors.yonyou_u8 import YonyouU8Connector
from connectors.yonyou_u8.sandbox import YonyouU8Sandbox

STREAMS = ["customers", "sales_orders", "sales_invoices", "receivables", "receipts"]
KEYS = {"customers": "self_define1"}


async def read_all(connector: YonyouU8Connector, stream: str, since: object = None) -> list[Page]:
    return [page async for page in connector.read(stream, since)]


def holding(sandbox: YonyouU8Sandbox, stream: str, key: str) -> list[str]:
    field = KEYS.get(stream, "define11")
    with sandbox.lock:
        return [code for code, r in sandbox.store.records[stream].items() if r.get(field) == key]


async def test_check(connector: YonyouU8Connector) -> None:
    result = await connector.check()
    assert result.ok, result.message


@pytest.mark.parametrize("stream", STREAMS)
async def test_full_read_pages_through_string_counts(
    make_connector: Any, sandbox: YonyouU8Sandbox, stream: str
) -> None:
    if stream == "receivables":
        sandbox.reset(stream, 5)
    connector = make_connector(page_size=2)
    pages = await read_all(connector, stream)
    key = connector.stream(stream).primary_key
    codes = [str(r[key]) for p in pages for r in p.records]
    assert sorted(codes) == sorted(sandbox.remote_ids(stream))
    assert pages[-1].complete
    assert len(pages) > 1
    await connector.aclose()


async def test_customers_read_incrementally_by_modify_date(
    connector: YonyouU8Connector, sandbox: YonyouU8Sandbox
) -> None:
    pages = await read_all(connector, "customers")
    assert pages[0].records[0]["name"] == sandbox.universe.companies[0].alt_name
    sandbox.clock.advance(180)
    sandbox.touch("customers", ["C00002"])
    again = await read_all(connector, "customers", pages[-1].cursor)
    assert [r["code"] for p in again for r in p.records] == ["C00002"]
    assert not again[-1].complete
    assert [
        r for p in await read_all(connector, "customers", again[-1].cursor) for r in p.records
    ] == []


async def test_documents_reread_a_window_and_pass_only_changes(
    connector: YonyouU8Connector, sandbox: YonyouU8Sandbox
) -> None:
    sandbox.reset("receivables", 4)  # dated today: inside the window
    pages = await read_all(connector, "receivables")
    cursor = pages[-1].cursor
    assert len([r for p in pages for r in p.records]) == 4
    changed = sorted(sandbox.remote_ids("receivables"))[0]
    sandbox.touch("receivables", [changed])
    again = await read_all(connector, "receivables", cursor)
    assert [r["code"] for p in again for r in p.records] == [changed]


async def test_expired_token_is_refreshed_once(
    connector: YonyouU8Connector, sandbox: YonyouU8Sandbox
) -> None:
    await read_all(connector, "receipts")
    sandbox.expire_credentials()
    assert (await read_all(connector, "receipts"))[-1].complete
    assert connector.auth.refreshes == 2


async def test_wrong_to_account_is_refused(make_connector: Any) -> None:
    connector = make_connector(to_account="someone_else")
    result = await connector.check()
    assert not result.ok
    assert "未授权" in result.message
    await connector.aclose()


@pytest.mark.parametrize("sandbox_options", [{"result_delay": 2}])
async def test_async_add_is_polled_until_ready(
    connector: YonyouU8Connector, sandbox: YonyouU8Sandbox
) -> None:
    [result] = await connector.write(
        "customers", [WriteRequest(sandbox.sample_record("customers", 1), "hub-1")]
    )
    assert (result.status, result.remote_id) == ("created", "T00001")
    polls = sum(n for (method, path), n in sandbox.requests.items() if path.startswith("/result/"))
    assert polls == 3


@pytest.mark.parametrize("idempotency", ["biz_id", "tradeid"])
@pytest.mark.parametrize("stream", STREAMS)
async def test_lost_answer_of_an_add_creates_nothing_twice(
    make_connector: Any, sandbox: YonyouU8Sandbox, stream: str, idempotency: str
) -> None:
    connector = make_connector(idempotency=idempotency)
    resource = {
        "customers": "customer",
        "sales_orders": "saleorder",
        "sales_invoices": "saleinvoice",
        "receivables": "oughtreceive",
        "receipts": "accept",
    }[stream]
    before = len(sandbox.remote_ids(stream))
    sandbox.faults.inject("reset", path=f"/api/{resource}/add")
    [result] = await connector.write(
        stream, [WriteRequest(sandbox.sample_record(stream, 4), "hub-lost")]
    )
    assert result.status == "created"
    assert sandbox.requests[("POST", f"/api/{resource}/add")] == 2
    assert holding(sandbox, stream, "hub-lost") == [result.remote_id]
    assert len(sandbox.remote_ids(stream)) == before + 1
    await connector.aclose()


async def test_add_retried_by_a_new_process_with_the_same_biz_id_finds_the_first(
    make_connector: Any, sandbox: YonyouU8Sandbox
) -> None:
    first = make_connector(http={"max_attempts": 2, "max_backoff": 0.01})
    sandbox.faults.inject("reset", times=2, path="/api/saleorder/add")
    with pytest.raises(TransientError):
        await first.write(
            "sales_orders", [WriteRequest(sandbox.sample_record("sales_orders", 1), "hub-crash")]
        )
    await first.aclose()
    [committed] = holding(sandbox, "sales_orders", "hub-crash")
    second = make_connector()
    [result] = await second.write(
        "sales_orders", [WriteRequest(sandbox.sample_record("sales_orders", 1), "hub-crash")]
    )
    assert result.remote_id == committed
    assert holding(sandbox, "sales_orders", "hub-crash") == [committed]
    assert list(await second.lookup("sales_orders", ["hub-crash", "hub-none"])) == ["hub-crash"]
    await second.aclose()


@pytest.mark.parametrize("stream", STREAMS)
async def test_refused_add_fails_alone(
    connector: YonyouU8Connector, sandbox: YonyouU8Sandbox, stream: str
) -> None:
    bad, word = sandbox.invalid_record(stream)
    results = await connector.write(
        stream, [WriteRequest(bad, "bad"), WriteRequest(sandbox.sample_record(stream, 7), "good")]
    )
    assert [r.status for r in results] == ["failed", "created"]
    assert word in (results[0].error or "")


async def test_customer_edit(connector: YonyouU8Connector, sandbox: YonyouU8Sandbox) -> None:
    [result] = await connector.write(
        "customers", [WriteRequest({"name": "改名后的客户有限公司"}, "hub-c1", remote_id="C00001")]
    )
    assert result.status == "updated"
    record = sandbox.get_record("customers", "C00001")
    assert record is not None
    assert record["name"] == "改名后的客户有限公司"
    assert record["self_define1"] == "hub-c1"


async def test_secret_and_token_stay_out_of_logs(
    connector: YonyouU8Connector, sandbox: YonyouU8Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    install_log_masking()  # as hub.logsetup does at start-up; httpx logs whole URLs at INFO
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="httpx")  # its request lines carry the URLs
    sandbox.faults.inject("status", status=502, path="/api/customer/batch_get")
    await read_all(connector, "customers")
    assert sandbox.app_secret not in caplog.text
    assert connector.auth.token is not None
    assert connector.auth.token not in caplog.text
    assert "token=***" in caplog.text


@pytest.mark.parametrize("sandbox_options", [{"calls_per_minute": 3}])
async def test_throttled_relay_is_waited_out_as_it_asks(
    server: SandboxServer, sandbox: YonyouU8Sandbox
) -> None:
    waits: list[float] = []

    async def wait(seconds: float) -> None:
        waits.append(seconds)
        sandbox.clock.advance(seconds)  # the minute passes while we wait

    connector = YonyouU8Connector(server.connector_config(), sleep=wait)
    pages = await read_all(connector, "customers")
    pages += await read_all(connector, "receipts")
    pages += await read_all(connector, "sales_orders")
    pages += await read_all(connector, "sales_invoices")
    assert pages[-1].complete
    assert 60.0 in waits
    assert connector.stats.rate_limited >= 1
    await connector.aclose()


async def test_tradeid_mode_looks_before_adding_so_a_later_run_never_duplicates(
    make_connector: Any, sandbox: YonyouU8Sandbox
) -> None:
    first = make_connector(idempotency="tradeid", http={"max_attempts": 2, "max_backoff": 0.01})
    sandbox.faults.inject("reset", times=2, path="/api/accept/add")
    with pytest.raises(TransientError):
        await first.write(
            "receipts", [WriteRequest(sandbox.sample_record("receipts", 1), "hub-trade")]
        )
    await first.aclose()
    [committed] = holding(sandbox, "receipts", "hub-trade")
    second = make_connector(idempotency="tradeid")  # a new trade id would make a second receipt
    [result] = await second.write(
        "receipts", [WriteRequest(sandbox.sample_record("receipts", 1), "hub-trade")]
    )
    assert (result.status, result.remote_id) == ("created", committed)
    assert holding(sandbox, "receipts", "hub-trade") == [committed]
    await second.aclose()
