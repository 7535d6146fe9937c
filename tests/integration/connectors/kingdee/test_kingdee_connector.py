"""Connector behaviour the acceptance suite does not reach, against the sandbox over sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from connectors.kingdee import KingdeeConnector
from connectors.kingdee.sandbox import KingdeeSandbox
from connectors.sdk import Page, WriteRequest, WriteResult
from connectors.sdk.sandbox import SandboxServer
from connectors.testkit import SleepRecorder


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    options: dict[str, Any] = getattr(request, "param", {})
    with SandboxServer(KingdeeSandbox(seed=5, companies=6, **options)) as running:
        yield running


def kingdee(
    server: SandboxServer, sleep: SleepRecorder | None = None, **overrides: Any
) -> KingdeeConnector:
    return KingdeeConnector(
        {**server.connector_config(), **overrides}, sleep=sleep or SleepRecorder()
    )


def sandbox_of(server: SandboxServer) -> KingdeeSandbox:
    assert isinstance(server.sandbox, KingdeeSandbox)
    return server.sandbox


async def read(connector: KingdeeConnector, stream: str, since: Any = None) -> list[Page]:
    async with connector:
        return [page async for page in connector.read(stream, since)]


async def write(
    connector: KingdeeConnector, stream: str, requests: list[WriteRequest]
) -> list[WriteResult]:
    async with connector:
        return await connector.write(stream, requests)


def order(customer: str, lines: int = 1, amount: str = "100") -> dict[str, Any]:
    return {
        "FBillTypeID": {"FNUMBER": "XSDD01_SYS"},
        "FDate": "2024-05-06",
        "FSaleOrgId": {"FNumber": "100"},
        "FCustId": {"FNumber": customer},
        "FSaleOrderEntry": [
            {
                "FMaterialId": {"FNumber": "SVC-DEV"},
                "FQty": 1,
                "FPrice": Decimal(amount),
                "FEntryTaxRate": 6,
            }
            for _ in range(lines)
        ],
    }


def test_every_stream_reads_the_seeded_business(server: SandboxServer) -> None:
    universe = sandbox_of(server).universe
    expected = {
        "customers": {c.key for c in universe.companies},
        "contracts": {c.number for c in universe.contracts},
        "invoices_special": {i.number for i in universe.invoices if i.kind == "vat_special"},
        "invoices_normal": {i.number for i in universe.invoices if i.kind == "vat_normal"},
        "receivables": {"AR" + i.number.removeprefix("FP") for i in universe.invoices},
        "payments": {p.number for p in universe.payments},
    }
    for stream, numbers in expected.items():
        pages = asyncio.run(read(kingdee(server, page_size=3), stream))
        records = [r for p in pages for r in p.records]
        key = "FNumber" if stream == "customers" else "FBillNo"
        assert {r[key] for r in records} == numbers, stream
        assert pages[-1].complete
        for record in records:
            assert record["FModifyDate"].tzinfo is not None
    invoices = asyncio.run(read(kingdee(server), "invoices_special"))
    for record in (r for p in invoices for r in p.records):
        lines = record["FSALESICENTRY"]
        assert record["FormId"] == "IV_SALESIC"
        assert sum(line["FALLAMOUNTFOR"] for line in lines) == record["FAFTERTOTALTAXFOR"]
        assert record["FHEADAUXPRICEFOR"] + record["FTAXAMOUNTFOR"] == record["FAFTERTOTALTAXFOR"]
        assert isinstance(record["FAFTERTOTALTAXFOR"], Decimal)


def test_a_record_with_more_lines_than_a_page_is_read_whole_and_once(server: SandboxServer) -> None:
    results = asyncio.run(
        write(
            kingdee(server), "contracts", [WriteRequest(order("C00001", lines=7), "hub-many-lines")]
        )
    )
    number = results[0].remote_id
    pages = asyncio.run(read(kingdee(server, page_size=3), "contracts"))
    records = [r for p in pages for r in p.records]
    numbers = [r["FBillNo"] for r in records]
    assert len(numbers) == len(set(numbers))
    big = next(r for r in records if r["FBillNo"] == number)
    assert len(big["FSaleOrderEntry"]) == 7
    assert big["FBillAmount"] == Decimal("700.00")


def test_incremental_read_sees_status_changes_and_edits_only(server: SandboxServer) -> None:
    sandbox = sandbox_of(server)
    first = asyncio.run(read(kingdee(server), "contracts"))
    cursor = first[-1].cursor
    some = sorted(sandbox.remote_ids("contracts"))[:2]
    sandbox.touch("contracts", some[:1])
    again = asyncio.run(read(kingdee(server), "contracts", cursor))
    assert [r["FBillNo"] for p in again for r in p.records] == some[:1]
    assert not again[-1].complete, "an incremental read never proves deletions"


@pytest.mark.parametrize("server", [{"auth_style": "session", "session_ttl": 300}], indirect=True)
def test_session_idling_out_mid_read_logs_in_once_more(server: SandboxServer) -> None:
    sandbox = sandbox_of(server)
    sandbox.clock.freeze(datetime.now(UTC))
    seen: list[int] = []

    async def go() -> list[str]:
        numbers = []
        async with kingdee(server, page_size=2) as connector:
            async for page in connector.read("customers"):
                numbers += [r["FNumber"] for r in page.records]
                seen.append(sandbox.sessions.logins)
                sandbox.clock.advance(301)
        return numbers

    numbers = asyncio.run(go())
    assert sorted(numbers) == sorted(sandbox.remote_ids("customers"))
    assert seen[0] == 1
    assert seen[-1] == len(seen), "one login per idle-out, no more"


def test_auto_audit_submits_and_audits_and_reports_silent_skips(server: SandboxServer) -> None:
    sandbox = sandbox_of(server)

    class DeleteAfterSave(httpx.AsyncHTTPTransport):
        """A user deletes the second order between our BatchSave and our Submit."""

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await super().handle_async_request(request)
            if request.url.path.endswith("DynamicFormService.BatchSave.common.kdsvc"):
                await response.aread()
                numbers = sorted(sandbox.remote_ids("contracts") - before)
                sandbox.delete("contracts", numbers[1:2])
            return response

    before = sandbox.remote_ids("contracts")
    connector = KingdeeConnector(
        {**server.connector_config(), "auto_audit": True},
        transport=DeleteAfterSave(),
        sleep=SleepRecorder(),
    )
    results = asyncio.run(
        write(
            connector,
            "contracts",
            [WriteRequest(order("C00002"), "hub-a"), WriteRequest(order("C00002"), "hub-b")],
        )
    )
    assert results[0].status == "created"
    assert sandbox.get_record("contracts", str(results[0].remote_id))["FDocumentStatus"] == "C"  # type: ignore[index]
    assert results[1].status == "failed"
    assert results[1].remote_id
    assert "silently skipped" in str(results[1].error)


def test_updating_an_audited_order_unaudits_saves_and_restores(server: SandboxServer) -> None:
    sandbox = sandbox_of(server)
    number = sandbox.universe.contracts[0].number
    results = asyncio.run(
        write(
            kingdee(server),
            "contracts",
            [WriteRequest({"FNote": "财务改了备注"}, "hub-c", remote_id=number)],
        )
    )
    assert results[0].status == "updated"
    assert results[0].remote_id == number
    stored = sandbox.get_record("contracts", number)
    assert stored is not None
    assert stored["FNote"] == "财务改了备注"
    assert stored["FDocumentStatus"] == "C"
    refused = asyncio.run(
        write(
            kingdee(server, update_audited="fail"),
            "contracts",
            [
                WriteRequest({"FNote": "不该写入"}, "hub-c", remote_id=number),
                WriteRequest({"FNote": "x"}, "hub-d", remote_id="NO-SUCH"),
            ],
        )
    )
    assert refused[0].status == "failed"
    assert "audited" in str(refused[0].error)
    assert refused[1].status == "failed"
    assert refused[1].vendor_code == "not_found"
    assert sandbox.get_record("contracts", number)["FNote"] == "财务改了备注"  # type: ignore[index]


def test_a_create_whose_reply_was_lost_is_found_not_duplicated(server: SandboxServer) -> None:
    sandbox = sandbox_of(server)
    sandbox.faults.inject("reset", path="BatchSave")  # saved on the server, reply cut off
    before = sandbox.remote_ids("customers")
    sleep = SleepRecorder()
    record = {"FName": "断线客户有限公司", "FCreateOrgId": {"FNumber": "100"}}
    results = asyncio.run(
        write(kingdee(server, sleep), "customers", [WriteRequest(record, "hub-reset")])
    )
    assert results[0].status == "created"
    assert sandbox.remote_ids("customers") - before == {results[0].remote_id}
    assert len(sleep.waits) == 1


def test_a_call_limit_on_save_is_waited_out_then_resent(server: SandboxServer) -> None:
    sandbox = sandbox_of(server)
    sandbox.faults.inject("rate_limit", path="BatchSave")
    sleep = SleepRecorder()
    before = sandbox.remote_ids("customers")
    record = {"FName": "限流客户有限公司", "FCreateOrgId": {"FNumber": "100"}}
    results = asyncio.run(
        write(kingdee(server, sleep), "customers", [WriteRequest(record, "hub-limit")])
    )
    assert results[0].status == "created"
    assert len(sandbox.remote_ids("customers") - before) == 1
    assert sleep.waits == [10.0]


@pytest.mark.parametrize("server", [{"atomic_batch": True}], indirect=True)
def test_an_atomic_server_rollback_resends_the_good_records(server: SandboxServer) -> None:
    sandbox = sandbox_of(server)
    before = sandbox.remote_ids("customers")
    good = {"FName": "原子好客户", "FCreateOrgId": {"FNumber": "100"}}
    results = asyncio.run(
        write(
            kingdee(server),
            "customers",
            [
                WriteRequest(good, "hub-g1"),
                WriteRequest({"FName": ""}, "hub-bad"),
                WriteRequest(good, "hub-g2"),
            ],
        )
    )
    assert [r.status for r in results] == ["created", "failed", "created"]
    assert len(sandbox.remote_ids("customers") - before) == 2


def test_number_mode_keeps_the_hub_id_in_the_number(server: SandboxServer) -> None:
    connector = kingdee(server, external_key_field=None)
    record = {"FName": "编号模式客户", "FCreateOrgId": {"FNumber": "100"}}

    async def go() -> tuple[list[WriteResult], dict[str, Any]]:
        async with connector:
            written = await connector.write("customers", [WriteRequest(record, "HUB-0001")])
            return written, await connector.lookup("customers", ["HUB-0001", "HUB-0002"])

    results, found = asyncio.run(go())
    assert results[0].remote_id == "HUB-0001"
    assert list(found) == ["HUB-0001"]


def test_response_error_on_a_read_is_retried(server: SandboxServer) -> None:
    sandbox = sandbox_of(server)
    sandbox.inject_response_error("ExecuteBillQuery", message="数据库繁忙")
    connector = kingdee(server)
    pages = asyncio.run(read(connector, "customers"))
    assert len([r for p in pages for r in p.records]) == 6
    assert connector.stats.retries == 1


def test_check_says_which_setting_is_wrong(server: SandboxServer) -> None:
    async def check(**overrides: Any) -> Any:
        async with kingdee(server, **overrides) as connector:
            return await connector.check()

    assert asyncio.run(check()).ok
    wrong_acct = asyncio.run(check(acct_id="00000000000000"))
    assert not wrong_acct.ok
    assert "acct_id" in wrong_acct.message
    secret = server.connector_config()["app_secret"]
    wrong_secret = asyncio.run(check(app_secret="0" * 32))
    assert not wrong_secret.ok
    assert "app_secret" in wrong_secret.message
    assert secret not in wrong_secret.message


def test_discover_lists_read_keys_and_server_metadata(server: SandboxServer) -> None:
    async def go() -> Any:
        async with kingdee(server) as connector:
            return await connector.discover()

    fields = asyncio.run(go())
    customer = {f.name: f for f in fields["customers"]}
    assert "FCUSTID" in customer
    assert "FSOCIALCRECODE" in customer
    assert customer["FName"].required
    assert customer["FName"].label == "客户名称"
    assert set(fields) == {
        "customers",
        "contracts",
        "invoices_special",
        "invoices_normal",
        "receivables",
        "payments",
    }


def test_contracts_can_be_pointed_at_another_form(server: SandboxServer) -> None:
    override = {
        "form_id": "SAL_SaleOrder",
        "header_keys": ["FCustId.FNumber", "FNote", "FBillAllAmount"],
        "date_keys": [],
    }
    pages = asyncio.run(read(kingdee(server, contract_form=override), "contracts"))
    record = pages[0].records[0]
    assert set(record) == {
        "FormId",
        "FID",
        "FBillNo",
        "FModifyDate",
        "FCustId.FNumber",
        "FNote",
        "FBillAllAmount",
        "F_SyncHub_ID",
    }


def test_records_never_stamped_are_read_by_full_reads(server: SandboxServer) -> None:
    sandbox = sandbox_of(server)
    table = sandbox.store.table("BD_Customer")
    assert table is not None
    with sandbox.lock:
        for bill in list(table.bills.values())[:3]:
            bill.header["FModifyDate"] = None  # an import that left the modify date empty
    pages = asyncio.run(read(kingdee(server, page_size=2), "customers"))
    numbers = [r["FNumber"] for p in pages for r in p.records]
    assert sorted(numbers) == sorted(sandbox.remote_ids("customers"))
    stamps = [r["FModifyDate"] for p in pages for r in p.records]
    assert stamps[:3] == [None, None, None], "unstamped records sort first, as NULLs do"
    assert all(stamp is not None for stamp in stamps[3:])
    later = asyncio.run(read(kingdee(server), "customers", pages[-1].cursor))
    assert [r for p in later for r in p.records] == []
