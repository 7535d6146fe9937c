"""Request shapes (respx) and the status table of the Jira client."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
import respx

from connectors.jira import JiraConnector
from connectors.jira.client import check_response, vendor_message
from connectors.sdk import (
    AuthError,
    MalformedResponse,
    RateLimited,
    RecordError,
    TransientError,
    VendorError,
    WriteRequest,
)

CLOUD = {
    "flavour": "cloud",
    "base_url": "https://acme.atlassian.net",
    "email": "ada@example.com",
    "api_token": "tok-abcdef",
    "project_key": "DLV",
}
DC = {
    "flavour": "dc",
    "base_url": "https://jira.example.com",
    "pat": "pat-abcdef",
    "project_key": "DLV",
}
FIELDS = [
    {"id": "summary", "name": "Summary", "custom": False, "schema": {"type": "string"}},
    {"id": "customfield_10100", "name": "Epic Link", "custom": True, "schema": {"type": "any"}},
    {"id": "customfield_10101", "name": "Epic Name", "custom": True, "schema": {"type": "string"}},
]


def _response(
    status: int, body: Any = None, headers: dict[str, str] | None = None, text: str | None = None
) -> httpx.Response:
    request = httpx.Request("GET", "https://acme.atlassian.net/rest/api/3/myself")
    if text is not None:
        return httpx.Response(status, text=text, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


@pytest.mark.parametrize(
    ("status", "per_record", "error"),
    [
        (400, False, VendorError),
        (400, True, RecordError),
        (401, False, AuthError),
        (403, True, AuthError),
        (404, True, RecordError),
        (409, False, TransientError),
        (410, False, VendorError),
        (422, True, VendorError),
        (429, False, RateLimited),
        (500, False, TransientError),
        (503, False, TransientError),
        (599, False, TransientError),
    ],
)
def test_status_table(status: int, per_record: bool, error: type[Exception]) -> None:
    body = {"errorMessages": ["nope"], "errors": {"summary": "You must specify a summary."}}
    with pytest.raises(error) as caught:
        check_response(_response(status, body), per_record=per_record)
    assert "nope" in str(caught.value)
    assert type(caught.value) is error


def test_retry_after_is_honoured_on_429_and_on_503() -> None:
    with pytest.raises(RateLimited) as caught:
        check_response(_response(429, {}, {"Retry-After": "12"}))
    assert caught.value.retry_after == 12
    with pytest.raises(RateLimited) as overloaded:
        check_response(_response(503, {}, {"Retry-After": "3"}))
    assert overloaded.value.retry_after == 3


def test_record_error_names_the_field_and_keeps_jiras_words() -> None:
    with pytest.raises(RecordError) as caught:
        check_response(
            _response(
                400, {"errorMessages": [], "errors": {"duedate": "Error parsing date string: x"}}
            ),
            per_record=True,
        )
    assert caught.value.field == "duedate"
    assert "Error parsing date string: x" in caught.value.message


def test_envelopes_of_every_age_and_plain_text() -> None:
    assert vendor_message(_response(400, {"message": "old DC"}))[0] == "old DC"
    assert vendor_message(_response(400, {"errorMessage": "older"}))[0] == "older"
    assert vendor_message(_response(400, {"errors": ["a", "b"]}))[0] == "a; b"
    assert vendor_message(_response(401, text="Client must be authenticated."))[0] == (
        "Client must be authenticated."
    )
    with pytest.raises(AuthError, match=r"AUTHENTICATION_DENIED.*CAPTCHA"):
        check_response(
            _response(
                403,
                {"errorMessages": ["denied"]},
                {"X-Seraph-LoginReason": "AUTHENTICATION_DENIED"},
            )
        )


def test_success_bodies() -> None:
    assert check_response(_response(204, text="")) is None
    assert check_response(_response(200, {"ok": 1})) == {"ok": 1}
    with pytest.raises(MalformedResponse, match=r"atlassian\.net"):
        check_response(_response(200, text="<html>proxy</html>"))


@respx.mock
async def test_cloud_sends_basic_auth_and_bulk_creates_with_adf() -> None:
    respx.get("https://acme.atlassian.net/rest/api/3/field").respond(json=FIELDS[:1])
    bulk = respx.post("https://acme.atlassian.net/rest/api/3/issue/bulk").respond(
        201, json={"issues": [{"id": "10005", "key": "DLV-5", "self": "x"}], "errors": []}
    )
    search = respx.post("https://acme.atlassian.net/rest/api/3/search/jql").respond(
        json={"issues": [], "isLast": True}
    )
    async with JiraConnector(CLOUD) as conn:
        data = {
            "fields": {"summary": "M1", "description": "line 1\nline 2", "parent": {"id": "10001"}}
        }
        results = await conn.write("milestones", [WriteRequest(data, "hub-1")])
    assert results[0].status == "created"
    assert results[0].remote_id == "10005"
    sent = bulk.calls.last.request
    assert (
        sent.headers["Authorization"]
        == "Basic " + base64.b64encode(b"ada@example.com:tok-abcdef").decode()
    )
    assert sent.headers["X-Atlassian-Token"] == "no-check"
    fields = json.loads(sent.content)["issueUpdates"][0]["fields"]
    assert fields["project"] == {"key": "DLV"}
    assert fields["issuetype"] == {"name": "Task"}
    assert fields["labels"] == ["synchub-milestone", "synchub-hub-1"]
    assert fields["parent"] == {"id": "10001"}
    assert fields["description"]["type"] == "doc"
    read_back = json.loads(search.calls.last.request.content)
    assert read_back["reconcileIssues"] == [10005]
    assert "startAt" not in read_back


@respx.mock
async def test_dc_sends_a_bearer_pat_and_links_the_epic_by_field() -> None:
    respx.get("https://jira.example.com/rest/api/2/field").respond(json=FIELDS)
    respx.get("https://jira.example.com/rest/api/2/issue/10001").respond(
        json={"id": "10001", "key": "DLV-1", "fields": {}}
    )
    bulk = respx.post("https://jira.example.com/rest/api/2/issue/bulk").respond(
        201, json={"issues": [{"id": "10006", "key": "DLV-6", "self": "x"}], "errors": []}
    )
    search = respx.post("https://jira.example.com/rest/api/2/search").respond(
        json={"startAt": 0, "maxResults": 50, "total": 0, "issues": []}
    )
    async with JiraConnector(DC) as conn:
        data = {"fields": {"summary": "M1", "description": "text", "parent": {"id": "10001"}}}
        await conn.write("milestones", [WriteRequest(data, "hub-2")])
    sent = bulk.calls.last.request
    assert sent.headers["Authorization"] == "Bearer pat-abcdef"
    fields = json.loads(sent.content)["issueUpdates"][0]["fields"]
    assert "parent" not in fields
    assert fields["customfield_10100"] == "DLV-1"
    assert fields["description"] == "text", "v2 takes plain strings"
    assert json.loads(search.calls.last.request.content)["startAt"] == 0


@respx.mock
async def test_dc_epic_gets_its_epic_name_and_update_adds_labels() -> None:
    respx.get("https://jira.example.com/rest/api/2/field").respond(json=FIELDS)
    bulk = respx.post("https://jira.example.com/rest/api/2/issue/bulk").respond(
        201, json={"issues": [{"id": "10007", "key": "DLV-7", "self": "x"}], "errors": []}
    )
    put = respx.put("https://jira.example.com/rest/api/2/issue/10007").respond(204)
    respx.post("https://jira.example.com/rest/api/2/search").respond(
        json={"startAt": 0, "maxResults": 50, "total": 0, "issues": []}
    )
    async with JiraConnector(DC) as conn:
        data = {"fields": {"summary": "HT1 合同", "labels": ["contract-HT1"]}}
        await conn.write("epics", [WriteRequest(data, "c1")])
        await conn.write("epics", [WriteRequest(data, "c1", remote_id="10007")])
    created = json.loads(bulk.calls.last.request.content)["issueUpdates"][0]["fields"]
    assert created["customfield_10101"] == "HT1 合同"
    assert created["issuetype"] == {"name": "Epic"}
    edit = json.loads(put.calls.last.request.content)
    assert "labels" not in edit["fields"]
    assert edit["update"]["labels"] == [
        {"add": "contract-HT1"},
        {"add": "synchub-contract"},
        {"add": "synchub-c1"},
    ]


@respx.mock
async def test_an_unknown_profile_zone_makes_literals_err_early() -> None:
    """/myself naming no usable zone: the westernmost zone, so a read repeats, never loses."""
    respx.get("https://acme.atlassian.net/rest/api/3/myself").respond(
        json={"timeZone": "Mars/Olympus"}
    )
    respx.get("https://acme.atlassian.net/rest/api/3/serverInfo").respond(
        json={"serverTime": "2026-07-01T00:10:00.000+0800", "deploymentType": "Cloud"}
    )
    search = respx.post("https://acme.atlassian.net/rest/api/3/search/jql").respond(
        json={"issues": [], "isLast": True}
    )
    cursor = {"value": "2026-06-30T23:59:30+08:00", "seen": {}}
    async with JiraConnector(CLOUD) as conn:
        pages = [p async for p in conn.read("milestones", cursor)]
    jql = json.loads(search.calls.last.request.content)["jql"]
    # 15:54:30 UTC is 03:54:30 on 30 June at UTC-12; Shanghai would have said 23:54
    assert 'updated >= "2026/06/30 03:54"' in jql
    assert pages[-1].records == []
    assert not pages[-1].complete
