"""Reading from the YonBIP sandbox over HTTP: discovery, paging, pubts increments, tokens."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from connectors.sdk import Page, RateLimited, install_log_masking
from connectors.sdk.sandbox import SandboxServer
from connectors.yonyou_bip import YonyouBipConnector
from connectors.yonyou_bip.sandbox import YonyouBipSandbox

STREAMS = ["customers", "sales_orders", "sales_invoices", "receivables", "receipts"]


async def read_all(connector: YonyouBipConnector, stream: str, since: object = None) -> list[Page]:
    return [page async for page in connector.read(stream, since)]


async def test_check_discovers_the_data_centre(
    connector: YonyouBipConnector, server: SandboxServer
) -> None:
    result = await connector.check()
    assert result.ok, result.message
    assert result.details["gateway_url"] == f"{server.url}/iuap-api-gateway"


async def test_explicit_urls_skip_discovery(
    server: SandboxServer, sandbox: YonyouBipSandbox, make_connector: Any
) -> None:
    connector = make_connector(
        tenant_id=None,
        token_url=f"{server.url}/iuap-api-auth",
        gateway_url=f"{server.url}/iuap-api-gateway",
    )
    assert (await connector.check()).ok
    assert sandbox.requests[("GET", "/open-auth/dataCenter/getGatewayAddress")] == 0
    await connector.aclose()


async def test_unknown_tenant_is_reported(make_connector: Any) -> None:
    connector = make_connector(tenant_id="nobody")
    result = await connector.check()
    assert not result.ok
    assert "网关地址" in result.message
    await connector.aclose()


@pytest.mark.parametrize("stream", STREAMS)
async def test_full_read_returns_every_record_once(
    make_connector: Any, sandbox: YonyouBipSandbox, stream: str
) -> None:
    if stream == "receivables":
        sandbox.reset(stream, 7)
    connector = make_connector(page_size=3)
    pages = await read_all(connector, stream)
    ids = [str(r["id"]) for page in pages for r in page.records]
    assert sorted(ids) == sorted(sandbox.remote_ids(stream))
    assert len(ids) == len(set(ids))
    assert [p.complete for p in pages] == [False] * (len(pages) - 1) + [True]
    assert len(pages) > 1
    await connector.aclose()


async def test_customers_come_with_child_tables_and_alt_name(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox
) -> None:
    [page] = await read_all(connector, "customers")
    first = page.records[0]
    company = sandbox.universe.companies[0]
    assert first["name"] == {"simplifiedName": company.alt_name}
    assert first["merchantAddressInfos"][0]["address"] == company.address
    assert first["creditCode"] == company.tax_id


async def test_customer_cursor_moves_only_when_the_read_finishes(make_connector: Any) -> None:
    connector = make_connector(page_size=3)
    pages = await read_all(connector, "customers")
    assert [p.cursor is None for p in pages] == [True] * (len(pages) - 1) + [False]
    await connector.aclose()


@pytest.mark.parametrize("stream", ["customers", "sales_orders", "receipts"])
async def test_incremental_read_returns_exactly_the_touched_records(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox, stream: str
) -> None:
    pages = await read_all(connector, stream)
    cursor = pages[-1].cursor
    assert cursor is not None
    sandbox.clock.advance(180)  # beyond the 60 s overlap window
    touched = sorted(sandbox.remote_ids(stream))[:1]
    sandbox.touch(stream, touched)
    again = await read_all(connector, stream, cursor)
    assert [str(r["id"]) for p in again for r in p.records] == touched
    assert not again[-1].complete  # a filtered read proves nothing about deletions
    quiet = await read_all(connector, stream, again[-1].cursor)
    assert [r for p in quiet for r in p.records] == []


async def test_expired_tokens_are_refreshed_once(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox
) -> None:
    await read_all(connector, "sales_orders")
    sandbox.expire_credentials()
    pages = await read_all(connector, "sales_orders")
    assert sum(len(p.records) for p in pages) == len(sandbox.remote_ids("sales_orders"))
    assert connector.auth.refreshes == 2


@pytest.mark.parametrize("sandbox_options", [{"token_ttl": 600}])
async def test_token_lifetime_is_honoured(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox
) -> None:
    await read_all(connector, "receipts")
    sandbox.clock.advance(601)
    await read_all(connector, "receipts")
    assert connector.auth.refreshes == 2


async def test_wrong_secret_is_refused_by_signature(make_connector: Any) -> None:
    connector = make_connector(app_secret="not-the-secret")
    result = await connector.check()
    assert not result.ok
    assert "签名" in result.message
    assert "not-the-secret" not in result.message
    await connector.aclose()


async def test_stale_timestamp_is_refused(make_connector: Any, sandbox: YonyouBipSandbox) -> None:
    sandbox.auth_clock_offset = timedelta(hours=1)  # the gateway's clock is an hour ahead of ours
    connector = make_connector()
    result = await connector.check()
    assert not result.ok
    assert "时间戳" in result.message
    await connector.aclose()


async def test_throttling_code_in_a_200_body_is_retried(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox
) -> None:
    sandbox.faults.inject("rate_limit", times=2, path="/voucherorder/list")
    pages = await read_all(connector, "sales_orders")
    assert pages[-1].complete
    assert connector.stats.rate_limited == 2


@pytest.mark.parametrize("sandbox_options", [{"api_budget_per_minute": 2}])
async def test_per_api_budget_answers_310046_until_the_minute_passes(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox
) -> None:
    await read_all(connector, "receipts")
    await read_all(connector, "receipts")
    with pytest.raises(RateLimited) as caught:
        await read_all(connector, "receipts")
    assert caught.value.vendor_code == "310046"
    sandbox.clock.advance(61)
    assert (await read_all(connector, "receipts"))[-1].complete


async def test_transient_faults_are_ridden_out(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox
) -> None:
    sandbox.faults.inject("status", status=503, path="/vouchersaleinvoice/list")
    sandbox.faults.inject("non_json", path="/vouchersaleinvoice/list")
    sandbox.faults.inject("truncate", path="/vouchersaleinvoice/list")
    pages = await read_all(connector, "sales_invoices")
    assert pages[-1].complete
    assert connector.stats.retries == 3


async def test_tokens_and_secrets_stay_out_of_logs(
    connector: YonyouBipConnector, sandbox: YonyouBipSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    install_log_masking()  # as hub.logsetup does at start-up; httpx logs whole URLs at INFO
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="httpx")  # its request lines carry the URLs
    sandbox.faults.inject("status", status=502, path="/merchant/newlist")
    await read_all(connector, "customers")
    sandbox.expire_credentials()
    await read_all(connector, "customers")
    text = caplog.text
    assert "access_token=***" in text or "access_token=%2A%2A%2A" in text
    assert sandbox.app_secret not in text
    assert connector.auth.token is not None
    assert connector.auth.token not in text
    assert quote(connector.auth.token, safe="") not in text
    assert "signature=***" in text


async def test_flattened_lists_repeat_documents_per_line_and_date_windows_filter(
    server: SandboxServer, sandbox: YonyouBipSandbox
) -> None:
    signed_in = YonyouBipConnector(server.connector_config())
    await signed_in.check()  # a real token for the raw calls below
    token = signed_in.auth.token
    await signed_in.aclose()
    code = sorted(sandbox.remote_ids("sales_orders"))[0]
    with sandbox.lock:  # a second order line, as a user would add it
        sandbox.store.records["sales_orders"][code]["orderDetails"].append(
            {"id": "x2", "oriSum": 0}
        )
    url = f"{server.url}/iuap-api-gateway/yonbip/sd/voucherorder/list"
    async with httpx.AsyncClient() as raw:
        flat = (
            await raw.post(
                url, params={"access_token": token}, json={"pageSize": 500, "isSum": False}
            )
        ).json()
        window = (
            await raw.post(
                url,
                params={"access_token": token},
                json={"pageSize": 500, "open_vouchdate_begin": "2999-01-01 00:00:00"},
            )
        ).json()
    rows = flat["data"]["recordList"]
    assert len(rows) == len(sandbox.remote_ids("sales_orders")) + 1
    assert sum(1 for r in rows if r["id"] == code) == 2
    assert "orderDetails_id" in rows[0]
    assert window["data"]["recordCount"] == 0
