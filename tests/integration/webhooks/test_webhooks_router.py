"""POST /hooks/{instance}: verified, replay-proof, logged without secrets, debounced into one run."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import httpx
import pytest
from apscheduler.events import EVENT_JOB_EXECUTED
from sqlalchemy import Engine, select
from webhooks_support import JIRA_SECRET, ZOHO_TOKEN

from connectors.sdk.webhooks import hmac_signature
from hub.scheduling.inprocess import start_in_process
from hub.settings import Settings
from hub.store import Run
from jobs.requests import RequestQueue

RUN = Run.__table__  # type: ignore[attr-defined]


def zoho_note(n: int = 1, *, token: str = ZOHO_TOKEN, sent: float | None = None) -> dict[str, Any]:
    return {
        "server_time": int((sent or time.time()) * 1000),
        "query_params": {},
        "module": "Accounts",
        "resource_uri": "https://www.zohoapis.com.cn/crm/v8/Accounts",
        "ids": [f"57257670000012{n:05d}"],
        "affected_fields": [],
        "operation": "update",
        "channel_id": "1000000068001",
        "token": token,
    }


async def post(
    client: httpx.AsyncClient, instance: str, payload: dict[str, Any], **headers: str
) -> httpx.Response:
    return await client.post(
        f"/hooks/{instance}", content=json.dumps(payload).encode(), headers=headers
    )


async def test_a_zoho_notification_with_the_channel_token_queues_a_debounced_run(
    client: httpx.AsyncClient, hub_store: Engine
) -> None:
    answer = await post(client, "crm", zoho_note())
    assert answer.status_code == 202
    (request,) = RequestQueue(hub_store).pending()
    assert request.key == "pipeline:p"  # not push-only, which never reads from crm
    assert request.kwargs == {"pipeline": "p", "trigger": "webhook"}
    assert (request.job_id, request.lease) == ("pipeline:p", "pipeline:p")
    assert request.requested_by == "webhook:crm"
    assert 0.2 < (request.due_at - request.created_at).total_seconds() < 0.4


@pytest.mark.parametrize(
    ("instance", "body", "headers"),
    [
        ("crm", zoho_note(token="a-guessed-token-Zz0"), {}),
        ("crm", {**zoho_note(), "token": None}, {}),
        ("crm", zoho_note(), {"X-Hub-Signature": "sha256=" + "0" * 64}),
        ("nobody", zoho_note(), {}),
        ("pm", {"webhookEvent": "jira:issue_updated", "timestamp": 1}, {}),
        ("pm", {"webhookEvent": "jira:issue_updated"}, {"X-Hub-Signature": "sha1=abc"}),
    ],
    ids=[
        "wrong-token",
        "no-token",
        "bad-signature",
        "unknown-instance",
        "unsigned",
        "other-algorithm",
    ],
)
async def test_anything_unverified_is_refused_with_a_bare_401_and_logged_without_secrets(
    client: httpx.AsyncClient,
    hub_store: Engine,
    caplog: pytest.LogCaptureFixture,
    instance: str,
    body: dict[str, Any],
    headers: dict[str, str],
) -> None:
    caplog.set_level(logging.DEBUG)
    answer = await post(client, instance, body, **headers)
    assert answer.status_code == 401
    assert answer.content == b""
    assert RequestQueue(hub_store).pending() == []
    assert f"webhook for {instance} refused" in caplog.text
    for secret in (ZOHO_TOKEN, JIRA_SECRET, "a-guessed-token-Zz0", "5725767000001200001", "0" * 64):
        assert secret not in caplog.text


async def test_a_signed_jira_delivery_is_accepted_and_a_tampered_one_refused(
    client: httpx.AsyncClient, hub_store: Engine
) -> None:
    body = json.dumps(
        {
            "webhookEvent": "jira:issue_updated",
            "timestamp": int(time.time() * 1000),
            "issue": {"id": "10001"},
        }
    ).encode()
    signed = {
        "X-Hub-Signature": hmac_signature(JIRA_SECRET, body),
        "X-Atlassian-Webhook-Identifier": "d-1",
    }
    tampered = body.replace(b"10001", b"10002")
    assert (await client.post("/hooks/pm", content=tampered, headers=signed)).status_code == 401
    assert (await client.post("/hooks/pm", content=body, headers=signed)).status_code == 202
    assert [r.key for r in RequestQueue(hub_store).pending()] == ["pipeline:projects"]
    # Jira retries a delivery with the same identifier: a replay, refused
    assert (await client.post("/hooks/pm", content=body, headers=signed)).status_code == 409


async def test_replays_and_stale_deliveries_are_refused(client: httpx.AsyncClient) -> None:
    note = zoho_note()
    assert (await post(client, "crm", note)).status_code == 202
    replay = await post(client, "crm", note)
    assert replay.status_code == 409
    assert replay.content == b""
    assert (await post(client, "crm", zoho_note(2, sent=time.time() - 3600))).status_code == 409


async def test_a_burst_of_a_hundred_notifications_becomes_one_run(
    client: httpx.AsyncClient, hub_store: Engine, settings: Settings
) -> None:
    for n in range(100):
        assert (await post(client, "crm", zoho_note(n))).status_code == 202
    (request,) = RequestQueue(hub_store).pending()
    assert request.hits == 100
    executed: list[str] = []
    done = __import__("threading").Event()

    def listener(event: Any) -> None:
        if event.code == EVENT_JOB_EXECUTED and str(event.job_id).startswith("request:"):
            executed.append(event.job_id)
            done.set()

    handle = start_in_process(settings, hub_store, listeners=[listener])
    try:
        assert done.wait(20)
        assert handle.service.wait_polls(3, 5)  # nothing else is handed out
    finally:
        handle.stop()
    assert executed == [f"request:{request.id}"]
    with hub_store.connect() as conn:
        runs = conn.execute(select(RUN.c.trigger, RUN.c.status).where(RUN.c.pipeline == "p")).all()
    assert [tuple(r) for r in runs] == [("webhook", "succeeded")]
    assert RequestQueue(hub_store).pending() == []
