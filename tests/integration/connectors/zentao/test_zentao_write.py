"""Writing through the real connector: created/updated/failed per record, verified edits, look-up."""

from __future__ import annotations

from typing import Any

import pytest
from zentao_support import make_connector

from connectors.sdk import ConfigError, WriteRequest
from connectors.sdk.sandbox import SandboxServer
from connectors.zentao import ZentaoConnector
from connectors.zentao.sandbox import ZentaoSandbox


async def test_one_bad_record_fails_alone(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    bad, word = sandbox.invalid_record("projects")
    results = await connector.write(
        "projects",
        [
            WriteRequest(sandbox.sample_record("projects", 1), "hub-1"),
            WriteRequest(bad, "hub-2"),
            WriteRequest(sandbox.sample_record("projects", 3), "hub-3"),
        ],
    )
    assert [r.status for r in results] == ["created", "failed", "created"]
    assert [r.index for r in results] == [0, 1, 2]
    assert word in (results[1].error or "")
    stored = sandbox.get_record("projects", results[0].remote_id or "")
    assert stored is not None
    assert stored["code"] == "HT-S0001"
    assert stored["budget"] == "10001.50"  # money goes as exact text
    assert sandbox.project_products(int(results[0].remote_id or 0)) == [1]


async def test_object_shaped_validation_errors_name_the_field(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    duplicate = {
        **sandbox.sample_record("projects", 1),
        "code": sandbox.get_record("projects", "1")["code"],
    }  # type: ignore[index]
    [result] = await connector.write("projects", [WriteRequest(duplicate, "hub-dup")])
    assert result.status == "failed"
    assert result.field == "code"
    assert "已经有" in (result.error or "")


async def test_lookup_finds_records_by_the_hub_key_after_a_lost_answer(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    [created] = await connector.write(
        "projects",
        [
            WriteRequest(
                sandbox.sample_record("projects", 7), "0f0e7c4a-1111-4a4a-9b9b-222233334444"
            )
        ],
    )
    found = await connector.lookup("projects", ["0f0e7c4a-1111-4a4a-9b9b-222233334444", "missing"])
    assert set(found) == {"0f0e7c4a-1111-4a4a-9b9b-222233334444"}
    assert str(found["0f0e7c4a-1111-4a4a-9b9b-222233334444"]["id"]) == created.remote_id


async def test_update_keeps_the_key_marker_and_reports_updated(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    [created] = await connector.write(
        "projects", [WriteRequest(sandbox.sample_record("projects", 2), "hub-u")]
    )
    [updated] = await connector.write(
        "projects",
        [
            WriteRequest(
                {"name": "改名后的项目", "desc": "<p>说明</p>", "budget": "20000.00"},
                "hub-u",
                created.remote_id,
            )
        ],
    )
    assert updated.status == "updated"
    assert updated.record is not None
    assert updated.record["budget"] == "20000.00"
    # the key marker survived the edit of desc:
    assert await connector.lookup("projects", ["hub-u"])


@pytest.mark.parametrize("sandbox_options", [{"project_put": "older"}])
async def test_an_edit_the_server_silently_ignores_is_reported_failed(
    server: SandboxServer, sandbox: ZentaoSandbox, sandbox_options: dict[str, Any]
) -> None:
    conn = make_connector(server)
    [created] = await conn.write(
        "projects", [WriteRequest(sandbox.sample_record("projects", 4), "hub-o")]
    )
    [result] = await conn.write(
        "projects",
        [WriteRequest({"name": "新名字", "budget": "99.00"}, "hub-o", created.remote_id)],
    )
    assert result.status == "failed"
    assert result.field == "budget"
    assert "did not apply" in (result.error or "")
    assert sandbox.get_record("projects", created.remote_id or "")["name"] == "新名字"  # type: ignore[index]
    await conn.aclose()


async def test_task_edit_answered_200_but_refused_is_failed_with_a_reason(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    task_id = sorted(sandbox.remote_ids("tasks"), key=int)[0]
    before = sandbox.get_record("tasks", task_id)
    assert before is not None
    results = await connector.write(
        "tasks",
        [
            WriteRequest({"name": "新任务名", "deadline": "2000-01-01"}, "hub-t", task_id),
            WriteRequest({"name": "合法的新名字"}, "hub-t2", task_id),
        ],
    )
    assert results[0].status == "failed"
    assert "did not apply" in (results[0].error or "")
    assert "name" in (results[0].error or "")
    assert results[1].status == "updated"
    assert sandbox.get_record("tasks", task_id)["name"] == "合法的新名字"  # type: ignore[index]


async def test_milestone_execution_is_created_under_its_project(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    project = sandbox.get_record("projects", "1")
    assert project is not None
    data = {"project": str(project["id"]), "name": "验收里程碑", "end": project["end"]}
    [created] = await connector.write(
        "executions", [WriteRequest(data, "6a1b2c3d-0000-4000-8000-000000000001")]
    )
    assert created.status == "created", created.error
    stored = sandbox.get_record("executions", created.remote_id or "")
    assert stored is not None
    assert stored["project"] == project["id"]
    assert stored["begin"] == stored["end"] == project["end"]
    assert stored["code"].startswith("ms-6a1b2c3d")
    found = await connector.lookup("executions", ["6a1b2c3d-0000-4000-8000-000000000001"])
    assert str(found["6a1b2c3d-0000-4000-8000-000000000001"]["id"]) == created.remote_id


async def test_execution_without_a_project_fails_locally(connector: ZentaoConnector) -> None:
    [result] = await connector.write(
        "executions", [WriteRequest({"name": "x", "end": "2025-01-01"}, "k")]
    )
    assert result.status == "failed"
    assert result.field == "project"


async def test_plan_create_accepts_200_and_story_keys_live_in_source_note(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    [plan] = await connector.write(
        "plans", [WriteRequest(sandbox.sample_record("plans", 1), "hub-plan")]
    )
    assert plan.status == "created"
    [bad_plan] = await connector.write(
        "plans", [WriteRequest({"begin": "2025-01-01"}, "hub-plan-2")]
    )
    assert bad_plan.status == "failed"
    assert "名称" in (bad_plan.error or "")
    story = {"title": "里程碑验收", "plan": plan.remote_id}
    [created] = await connector.write("stories", [WriteRequest(story, "hub-story")])
    assert created.status == "created", created.error
    assert (
        "[synchub:hub-story]"
        in sandbox.get_record("stories", created.remote_id or "")["sourceNote"]
    )  # type: ignore[index]
    assert set(await connector.lookup("stories", ["hub-story"])) == {"hub-story"}
    assert set(await connector.lookup("plans", ["hub-plan"])) == {"hub-plan"}


async def test_story_spec_change_goes_through_the_change_route(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    story_id = sorted(sandbox.remote_ids("stories"), key=int)[0]
    before = sandbox.get_record("stories", story_id)
    assert before is not None
    [result] = await connector.write(
        "stories", [WriteRequest({"spec": "<p>新的范围</p>", "pri": 1}, "hub-s", story_id)]
    )
    assert result.status == "updated", result.error
    after = sandbox.get_record("stories", story_id)
    assert after is not None
    assert after["spec"] == "<p>新的范围</p>"
    assert after["version"] == before["version"] + 1
    assert after["pri"] == 1


async def test_closing_a_story_or_execution_shows_in_the_next_read(
    connector: ZentaoConnector, sandbox: ZentaoSandbox
) -> None:
    pages = [p async for p in connector.read("executions")]
    cursor = pages[-1].cursor
    open_ones = [r for p in pages for r in p.records if r["status"] != "closed"]
    sandbox.clock.advance(120)
    sandbox.close_execution(str(open_ones[0]["id"]))
    changed = [
        r for p in [p async for p in connector.read("executions", cursor)] for r in p.records
    ]
    assert [r["id"] for r in changed] == [open_ones[0]["id"]]
    assert changed[0]["status"] == "closed"
    assert changed[0]["closedDate"] is not None


async def test_unknown_stream_is_a_config_error(connector: ZentaoConnector) -> None:
    with pytest.raises(ConfigError, match="projects"):
        await connector.write("bugs", [])
