"""Failures as Jira produces them: 429 with its headers, CAPTCHA, revoked tokens, 409, 410."""

from __future__ import annotations

import httpx
import pytest
from jira_support import connector, read_all

from connectors.jira.sandbox import JiraSandbox
from connectors.jira.sandbox.core import basic_header
from connectors.sdk import AuthError, WriteRequest
from connectors.sdk.sandbox import SandboxServer
from connectors.testkit import SleepRecorder


def _auth(sandbox: JiraSandbox, server: SandboxServer) -> dict[str, str]:
    creds = sandbox.credentials(server.url)
    if sandbox.flavour == "cloud":
        return {"Authorization": basic_header(creds["email"], creds["api_token"])}
    return {"Authorization": f"Bearer {creds['pat']}"}


async def test_429_carries_retry_after_and_rate_limit_headers(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    sandbox.faults.inject("rate_limit", retry_after=4)
    async with httpx.AsyncClient(base_url=server.url, headers=_auth(sandbox, server)) as raw:
        limited = await raw.get("/rest/api/2/myself")
        fine = await raw.get("/rest/api/2/myself")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "4"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["X-RateLimit-Reset"].endswith("Z")
    if sandbox.flavour == "cloud":
        assert limited.headers["RateLimit-Reason"] == "jira-burst-based"
    else:
        assert "X-RateLimit-FillRate" in limited.headers
    assert limited.json()["errorMessages"]
    assert fine.status_code == 200


async def test_near_limit_is_flagged_on_successful_answers(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    sandbox.faults.rate_limit = 0.01
    sandbox.faults.rate_burst = 5
    async with httpx.AsyncClient(base_url=server.url, headers=_auth(sandbox, server)) as raw:
        answers = [await raw.get("/rest/api/2/myself") for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[4].headers.get("X-RateLimit-NearLimit") == "true"
    assert "X-RateLimit-NearLimit" not in answers[0].headers


async def test_the_connector_waits_as_long_as_jira_asks(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    sleeps = SleepRecorder()
    async with connector(server, sleep=sleeps) as conn:
        sandbox.faults.inject("rate_limit", times=2, retry_after=9, path="/search")
        pages = await read_all(conn, "milestones")
    assert sleeps.waits == [9.0, 9.0]
    assert conn.stats.rate_limited == 2
    assert sum(len(p.records) for p in pages) == len(sandbox.remote_ids("milestones"))


async def test_a_concurrent_edit_409_is_retried(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    rid = sorted(sandbox.remote_ids("milestones"), key=int)[0]
    sandbox.faults.inject("status", status=409, path=f"/issue/{rid}")
    sleeps = SleepRecorder()
    async with connector(server, sleep=sleeps) as conn:
        results = await conn.write(
            "milestones", [WriteRequest({"fields": {"summary": "after 409"}}, "k", remote_id=rid)]
        )
    assert results[0].status == "updated", results[0].error
    assert len(sleeps.waits) == 1


async def test_revoked_token_is_an_auth_error_without_the_secret(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    config = server.connector_config()
    sandbox.revoke_tokens()
    async with connector(server, **config) as conn:
        with pytest.raises(AuthError) as caught:
            await read_all(conn, "milestones")
        check = await conn.check()
    secret = config.get("api_token") or config.get("pat")
    assert secret not in str(caught.value)
    assert not check.ok
    assert secret not in check.message


@pytest.mark.parametrize("flavour", ["dc"])
async def test_data_center_captcha_after_repeated_failures(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    bad = sandbox.bad_credentials_config(server.url)
    async with connector(server, **bad) as conn:
        reasons = []
        for _ in range(sandbox.captcha_after + 1):
            with pytest.raises(AuthError) as caught:
                await read_all(conn, "milestones")
            reasons.append(str(caught.value))
    assert "AUTHENTICATED_FAILED" in reasons[0]
    assert "AUTHENTICATION_DENIED" in reasons[-1]
    assert "CAPTCHA" in reasons[-1]


@pytest.mark.parametrize("flavour", ["cloud"])
async def test_cloud_removed_the_old_search(sandbox: JiraSandbox, server: SandboxServer) -> None:
    async with httpx.AsyncClient(base_url=server.url, headers=_auth(sandbox, server)) as raw:
        old = await raw.get("/rest/api/3/search", params={"jql": "project = DLV"})
        unbounded = await raw.get("/rest/api/3/search/jql", params={"jql": "ORDER BY key"})
        v2 = await raw.get(
            "/rest/api/2/search/jql", params={"jql": "project = DLV", "fields": "summary"}
        )
    assert old.status_code == 410
    assert "search/jql" in old.json()["errorMessages"][0]
    assert unbounded.status_code == 400
    assert v2.status_code == 200
    assert "total" not in v2.json()
    assert isinstance(v2.json()["issues"][0]["fields"]["summary"], str)


async def test_flavour_mismatch_is_reported_by_check(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    config = server.connector_config()
    if sandbox.flavour == "cloud":
        config.update(flavour="dc", pat="anything-at-all")
        config.pop("api_token")
    else:
        config.update(flavour="cloud", email="ada@example.com", api_token="anything-at-all")
        config.pop("pat")
    async with connector(server, **config) as conn:
        result = await conn.check()
    assert not result.ok
    assert "refused" in result.message or "deploymentType" in result.message
