"""Reading through the real connector over HTTP: paging by total, incremental without a since-filter."""

from __future__ import annotations

from typing import Any

import pytest
from zentao_support import make_connector

from connectors.sdk import Page, WriteRequest
from connectors.sdk.sandbox import SandboxServer
from connectors.zentao import ZentaoConnector
from connectors.zentao.sandbox import ZentaoSandbox


async def read_all(conn: ZentaoConnector, stream: str, since: Any = None) -> list[Page]:
    return [page async for page in conn.read(stream, since)]


def ids(pages: list[Page]) -> list[str]:
    return [str(r["id"]) for page in pages for r in page.records]


async def test_check_logs_in_and_names_the_account(connector: ZentaoConnector) -> None:
    result = await connector.check()
    assert result.ok
    assert "sync-bot" in result.message


async def test_check_with_a_wrong_password_says_so_and_logs_in_only_once(
    server: SandboxServer, sandbox: ZentaoSandbox
) -> None:
    conn = make_connector(server, password="not-the-password")
    first = await conn.check()
    second = await conn.check()
    assert not first.ok
    assert "登录失败" in first.message
    assert "not-the-password" not in first.message
    assert "not retrying" in second.message
    assert sandbox.requests[("POST", "/api.php/v1/tokens")] == 1
    await conn.aclose()


@pytest.mark.parametrize("stream", ["projects", "executions", "plans", "stories", "tasks"])
async def test_full_read_returns_every_live_record_once_and_completes(
    connector: ZentaoConnector, sandbox: ZentaoSandbox, stream: str
) -> None:
    pages = await read_all(connector, stream)
    seen = ids(pages)
    assert len(seen) == len(set(seen))
    assert set(seen) == sandbox.remote_ids(stream)
    assert pages[-1].complete
    assert all(not p.complete for p in pages[:-1])


@pytest.mark.parametrize("sandbox_options", [{"past_end": "first"}, {"past_end": "clamp"}])
async def test_page_past_the_end_neither_loops_nor_duplicates(
    server: SandboxServer, sandbox: ZentaoSandbox, sandbox_options: dict[str, Any]
) -> None:
    total = len(sandbox.remote_ids("projects"))
    size = 5
    assert total % size, "the last page must be partial for this test to bite"
    conn = make_connector(server, page_size=size)
    pages = await read_all(conn, "projects")
    assert sorted(ids(pages), key=int) == sorted(sandbox.remote_ids("projects"), key=int)
    list_calls = sandbox.requests[("GET", "/api.php/v1/projects")]
    assert list_calls == -(-total // size)  # exactly ceil(total/size) pages, never one more
    await conn.aclose()


async def test_a_server_that_answers_another_page_ends_the_read(
    server: SandboxServer, sandbox: ZentaoSandbox
) -> None:
    """Even if ``total`` lies (grows mid-read), an echoed page != requested stops paging."""
    conn = make_connector(server, page_size=5)
    pages = []
    async for page in conn.read("projects"):
        pages.append(page)
        if len(pages) == 1:
            sandbox.reset("plans", 0)  # unrelated change, nothing moves
    assert len(ids(pages)) == len(set(ids(pages)))
    await conn.aclose()


async def test_incremental_read_returns_only_what_changed(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    full = await read_all(connector, "projects")
    cursor = full[-1].cursor
    assert ids(await read_all(connector, "projects", cursor)) == []
    victims = sorted(sandbox.remote_ids("projects"), key=int)[:2]
    sandbox.clock.advance(600)
    sandbox.touch("projects", victims)
    pages = await read_all(connector, "projects", cursor)
    assert sorted(ids(pages), key=int) == victims
    assert not any(p.complete for p in pages)
    again = await read_all(connector, "projects", pages[-1].cursor)
    assert ids(again) == []


async def test_new_never_edited_tasks_are_found_by_the_id_scan(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    full = await read_all(connector, "tasks")
    sample = sandbox.sample_record("tasks", 1)
    created = await connector.write("tasks", [WriteRequest(sample, "k-1")])
    assert created[0].ok
    assert created[0].record is not None
    assert created[0].record["lastEditedDate"] is None
    pages = await read_all(connector, "tasks", full[-1].cursor)
    assert ids(pages) == [created[0].remote_id]


async def test_a_page_cursor_is_safe_to_resume_from(
    server: SandboxServer, sandbox: ZentaoSandbox
) -> None:
    conn = make_connector(server, page_size=2)
    full = await read_all(conn, "projects")
    victims = sorted(sandbox.remote_ids("projects"), key=int)[:5]
    for n, rid in enumerate(victims):
        sandbox.clock.advance(60 + n)
        sandbox.touch("projects", [rid])
    pages = await read_all(conn, "projects", full[-1].cursor)
    assert len(pages) == 3
    resumed = await read_all(conn, "projects", pages[0].cursor)  # crash after page 1
    assert ids(pages[0:1]) + ids(resumed) == ids(pages)
    await conn.aclose()


async def test_deleted_records_vanish_from_the_next_full_read(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    gone = sorted(sandbox.remote_ids("executions"), key=int)[:3]
    sandbox.delete("executions", gone)
    pages = await read_all(connector, "executions")
    assert not set(gone) & set(ids(pages))
    assert pages[-1].complete


async def test_periodic_full_reconciliation_rereads_everything(
    server: SandboxServer, sandbox: ZentaoSandbox
) -> None:
    conn = make_connector(server, full_refresh_hours=1)
    conn.reader.now = sandbox.clock.now  # the connector's clock is the sandbox's
    full = await read_all(conn, "projects")
    sandbox.clock.advance(1800)
    half_way = await read_all(conn, "projects", full[-1].cursor)
    assert ids(half_way) == []
    sandbox.clock.advance(1801)
    again = await read_all(conn, "projects", half_way[-1].cursor)
    assert set(ids(again)) == sandbox.remote_ids("projects")
    assert again[-1].complete
    await conn.aclose()


async def test_expired_token_is_renewed_once_transparently(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    await read_all(connector, "projects")
    sandbox.expire_credentials()
    pages = await read_all(connector, "projects")
    assert set(ids(pages)) == sandbox.remote_ids("projects")
    assert sandbox.requests[("POST", "/api.php/v1/tokens")] == 2
    assert connector.auth.refreshes == 2


async def test_transient_faults_are_retried(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    sandbox.faults.inject("status", status=502)
    sandbox.faults.inject("non_json")
    sandbox.faults.inject("rate_limit", retry_after=1)
    pages = await read_all(connector, "projects")
    assert set(ids(pages)) == sandbox.remote_ids("projects")
    assert connector.stats.retries == 3


@pytest.mark.parametrize("sandbox_options", [{"string_numbers": True, "web_root": "/zentao"}])
async def test_string_typed_numbers_are_coerced(
    server: SandboxServer, sandbox_options: dict[str, Any]
) -> None:
    conn = make_connector(server)
    pages = await read_all(conn, "tasks")
    task = pages[0].records[0]
    assert isinstance(task["id"], int)
    assert isinstance(task["execution"], int)
    assert isinstance(task["assignedTo"], str)
    await conn.aclose()


async def test_times_are_timezone_aware_and_zero_dates_are_none(connector: ZentaoConnector) -> None:
    from datetime import datetime

    pages = await read_all(connector, "projects")
    project = pages[0].records[0]
    assert datetime.fromisoformat(project["openedDate"]).tzinfo is not None
    assert project["closedDate"] is None or datetime.fromisoformat(project["closedDate"]).tzinfo
    assert project["deleted"] is False
