"""Webhooks from the sandbox to a real receiver: signed, identified, retried, verifiable."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from jira_support import connector, milestone

from connectors.jira import parse_event, verify_signature
from connectors.jira.sandbox import JiraSandbox
from connectors.sdk.sandbox import SandboxServer

SECRET = "It's a Secret to Everybody"


class Receiver:
    """An HTTP endpoint on 127.0.0.1 keeping every delivery; answers from a script."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        self.script: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.deliveries.append((dict(self.headers.items()), body))
                self.send_response(outer.script.pop(0) if outer.script else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/jira"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


async def test_deliveries_are_signed_and_verify_with_the_helper(
    sandbox: JiraSandbox, server: SandboxServer, receiver: Receiver
) -> None:
    sandbox.register_webhook(receiver.url, secret=SECRET)
    epic = sorted(sandbox.remote_ids("epics"), key=int)[0]
    async with connector(server, webhook_secret=SECRET) as conn:
        created = await conn.write("milestones", [milestone("hooked", epic, to="indeterminate")])
        sent = sandbox.deliver_webhooks()
        assert sent
        headers, body = receiver.deliveries[0]
        assert headers["X-Hub-Signature"].startswith("sha256=")
        assert verify_signature(SECRET, body, headers["X-Hub-Signature"])
        assert conn.verify_webhook(body, headers["X-Hub-Signature"])
        assert not verify_signature(SECRET, body + b" ", headers["X-Hub-Signature"])
        assert not verify_signature("another secret", body, headers["X-Hub-Signature"])
    events = [parse_event(h, b) for h, b in receiver.deliveries]
    assert events[0].event == "jira:issue_created"
    assert events[0].issue_id == created[0].remote_id
    assert events[0].stream("synchub-contract", "synchub-milestone") == "milestones"
    assert "jira:issue_updated" in {e.event for e in events}, "the transition is an update"
    assert all(e.identifier for e in events)
    assert len({e.identifier for e in events}) == len(events)


async def test_failed_deliveries_are_retried_with_the_same_identifier(
    sandbox: JiraSandbox, server: SandboxServer, receiver: Receiver
) -> None:
    sandbox.register_webhook(receiver.url, secret=SECRET)
    receiver.script = [503]
    rid = next(
        r
        for r in sorted(sandbox.remote_ids("milestones"), key=int)
        if sandbox.issue_by_key(r).status == "10000"  # type: ignore[union-attr]
    )
    sandbox.work_on(rid, "Done", "Done")  # To Do -> In Progress -> Done: two events
    first = sandbox.deliver_webhooks()
    second = sandbox.deliver_webhooks()
    assert len(receiver.deliveries) == len(first) + len(second) + 1
    failed_headers, failed_body = receiver.deliveries[0]
    retried = [h for h, b in receiver.deliveries[1:] if b == failed_body]
    assert len(retried) == 1
    assert (
        retried[0]["X-Atlassian-Webhook-Identifier"]
        == failed_headers["X-Atlassian-Webhook-Identifier"]
    )
    assert retried[0]["X-Atlassian-Webhook-Retry"] == "1"
    assert "X-Atlassian-Webhook-Retry" not in failed_headers


async def test_unsigned_webhooks_and_jql_filters(
    sandbox: JiraSandbox, server: SandboxServer, receiver: Receiver
) -> None:
    sandbox.register_webhook(receiver.url, jql='labels = "synchub-contract"')
    milestone_id = sorted(sandbox.remote_ids("milestones"), key=int)[0]
    epic_id = sorted(sandbox.remote_ids("epics"), key=int)[0]
    sandbox.touch("milestones", [milestone_id])
    sandbox.touch("epics", [epic_id])
    sandbox.deliver_webhooks()
    assert len(receiver.deliveries) == 1, "only the epic matches the webhook's JQL filter"
    headers, body = receiver.deliveries[0]
    assert "X-Hub-Signature" not in headers
    event = parse_event(headers, body)
    assert event.issue_id == epic_id
    assert event.event == "jira:issue_updated"
