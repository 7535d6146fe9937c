"""The sandbox's wire protocol, checked with a plain HTTP client (no connector in between)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from connectors.jira.sandbox import JiraSandbox
from connectors.jira.sandbox.core import basic_header
from connectors.sdk.sandbox import SandboxServer


@pytest.fixture
def raw(sandbox: JiraSandbox, server: SandboxServer) -> Iterator[httpx.Client]:
    creds = sandbox.credentials(server.url)
    auth = (
        basic_header(creds["email"], creds["api_token"])
        if sandbox.flavour == "cloud"
        else f"Bearer {creds['pat']}"
    )
    with httpx.Client(
        base_url=f"{server.url}/rest/api/2", headers={"Authorization": auth}
    ) as client:
        yield client


def _task(summary: str, **fields: Any) -> dict[str, Any]:
    return {
        "fields": {
            "project": {"key": "DLV"},
            "issuetype": {"name": "Task"},
            "summary": summary,
            **fields,
        }
    }


def test_create_answers_id_key_and_a_self_url_on_the_sandbox(
    raw: httpx.Client, server: SandboxServer
) -> None:
    created = raw.post("/issue", json=_task("one"))
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "key", "self"}
    assert body["self"].startswith(server.url)
    assert (
        raw.get(body["self"].removeprefix(f"{server.url}/rest/api/2")).json()["key"] == body["key"]
    )


def test_edit_is_204_and_status_cannot_be_set(raw: httpx.Client) -> None:
    key = raw.post("/issue", json=_task("two")).json()["key"]
    assert raw.put(f"/issue/{key}", json={"fields": {"summary": "two!"}}).status_code == 204
    refused = raw.put(f"/issue/{key}", json={"fields": {"status": {"name": "Done"}}})
    assert refused.status_code == 400
    assert "status" in refused.json()["errors"]
    both = raw.put(
        f"/issue/{key}", json={"fields": {"labels": ["a"]}, "update": {"labels": [{"add": "b"}]}}
    )
    assert both.status_code == 400


def test_only_transitions_valid_now_are_offered(raw: httpx.Client) -> None:
    key = raw.post("/issue", json=_task("three")).json()["key"]
    offered = raw.get(f"/issue/{key}/transitions").json()["transitions"]
    assert [(t["id"], t["to"]["statusCategory"]["key"]) for t in offered] == [
        ("11", "indeterminate")
    ]
    wrong = raw.post(f"/issue/{key}/transitions", json={"transition": {"id": "31"}})
    assert wrong.status_code == 400
    assert (
        raw.post(f"/issue/{key}/transitions", json={"transition": {"id": "11"}}).status_code == 204
    )
    done = raw.post(
        f"/issue/{key}/transitions",
        json={"transition": {"id": "31"}, "fields": {"resolution": {"name": "Delivered"}}},
    )
    assert done.status_code == 204
    fields = raw.get(f"/issue/{key}", params={"fields": "status,resolution,resolutiondate"}).json()[
        "fields"
    ]
    assert fields["status"]["name"] == "Done"
    assert fields["resolution"]["name"] == "Delivered"
    assert fields["resolutiondate"]


def test_bulk_create_limits_and_reports_positions(raw: httpx.Client) -> None:
    too_many = raw.post("/issue/bulk", json={"issueUpdates": [_task(f"t{n}") for n in range(51)]})
    assert too_many.status_code == 400
    mixed = raw.post(
        "/issue/bulk", json={"issueUpdates": [_task("ok"), _task(""), _task("ok too")]}
    )
    assert mixed.status_code == 201
    assert len(mixed.json()["issues"]) == 2
    assert [e["failedElementNumber"] for e in mixed.json()["errors"]] == [1]
    all_bad = raw.post("/issue/bulk", json={"issueUpdates": [_task(""), _task("a", duedate="x")]})
    assert all_bad.status_code == 400
    assert all_bad.json()["issues"] == []
    assert all_bad.json()["errors"][1]["elementErrors"]["errors"]["duedate"].startswith(
        "Error parsing"
    )


def test_remote_links_upsert_by_global_id(raw: httpx.Client) -> None:
    key = raw.post("/issue", json=_task("linked")).json()["key"]
    link = {
        "globalId": "crm:contract=C-118",
        "object": {"url": "https://crm.example/c/118", "title": "C-118"},
    }
    first = raw.post(f"/issue/{key}/remotelink", json=link)
    link["object"]["title"] = "C-118 (renamed)"
    second = raw.post(f"/issue/{key}/remotelink", json=link)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    listed = raw.get(f"/issue/{key}/remotelink").json()
    assert [item["object"]["title"] for item in listed] == ["C-118 (renamed)"]
    one = raw.get(f"/issue/{key}/remotelink", params={"globalId": "crm:contract=C-118"})
    assert one.json()["globalId"] == "crm:contract=C-118"


def test_entity_properties_answer_201_then_200(raw: httpx.Client) -> None:
    key = raw.post("/issue", json=_task("props")).json()["key"]
    assert raw.put(f"/issue/{key}/properties/synchub", json={"hub": 1}).status_code == 201
    assert raw.put(f"/issue/{key}/properties/synchub", json={"hub": 2}).status_code == 200
    assert raw.get(f"/issue/{key}/properties/synchub").json() == {
        "key": "synchub",
        "value": {"hub": 2},
    }


def test_fields_and_identity_as_clients_expect(raw: httpx.Client, sandbox: JiraSandbox) -> None:
    fields = {f["id"]: f for f in raw.get("/field").json()}
    assert fields["updated"]["clauseNames"] == ["updated"]
    custom = [f for f in fields.values() if f["custom"]]
    assert all(f["clauseNames"][0].startswith("cf[") for f in custom)
    assert ("customfield_10100" in fields) == (sandbox.flavour == "dc")
    me = raw.get("/myself").json()
    assert me["timeZone"] == "Asia/Shanghai"
    assert ("accountId" in me) == (sandbox.flavour == "cloud")
    assert ("name" in me) == (sandbox.flavour == "dc")
    info = raw.get("/serverInfo").json()
    assert len(info["versionNumbers"]) == 3
    project = raw.get("/project/DLV", params={"expand": "issueTypes"}).json()
    assert {t["name"] for t in project["issueTypes"]} >= {"Epic", "Story", "Task"}
    paged = raw.get("/project/search", params={"maxResults": 1}).json()
    assert (paged["total"], paged["isLast"], len(paged["values"])) == (2, False, 1)


@pytest.mark.parametrize("flavour", ["cloud"])
def test_v3_wants_adf_and_v2_strings(raw: httpx.Client, server: SandboxServer) -> None:
    v3 = f"{server.url}/rest/api/3"
    refused = raw.post(f"{v3}/issue", json=_task("adf", description="plain"))
    assert refused.status_code == 400
    assert "Atlassian Document" in refused.json()["errors"]["description"]
    adf = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "hi"}]}],
    }
    key = raw.post(f"{v3}/issue", json=_task("adf", description=adf)).json()["key"]
    assert raw.get(f"{v3}/issue/{key}").json()["fields"]["description"] == adf
    assert raw.get(f"/issue/{key}").json()["fields"]["description"] == "hi"


@pytest.mark.parametrize("flavour", ["dc"])
def test_data_center_has_no_v3_and_caps_max_results(
    raw: httpx.Client, server: SandboxServer, sandbox: JiraSandbox
) -> None:
    assert raw.get(f"{server.url}/rest/api/3/myself").status_code == 404
    sandbox.dc_max_results = 5
    page = raw.get(
        "/search", params={"jql": "project = DLV", "maxResults": 500, "fields": "summary"}
    ).json()
    assert page["maxResults"] == 5
    assert len(page["issues"]) == 5
    assert page["total"] > 5


@pytest.mark.parametrize("sandbox_options", [{"anonymous_access": True}])
def test_anonymous_search_answers_nothing_instead_of_401(
    server: SandboxServer, sandbox: JiraSandbox
) -> None:
    path = "/rest/api/3/search/jql" if sandbox.flavour == "cloud" else "/rest/api/2/search"
    answer = httpx.get(f"{server.url}{path}", params={"jql": "project = DLV", "fields": "summary"})
    assert answer.status_code == 200
    assert answer.json()["issues"] == []
    assert httpx.get(f"{server.url}/rest/api/2/myself").status_code == 401
