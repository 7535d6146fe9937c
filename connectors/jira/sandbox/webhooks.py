"""Admin webhooks: registrations, an outbox, signed deliveries with retries.

Deliveries carry ``X-Atlassian-Webhook-Identifier`` (stable across retries, so a
receiver can de-duplicate), ``X-Atlassian-Webhook-Retry`` from the first retry
on, and, when the webhook has a secret, ``X-Hub-Signature: sha256=<hex>`` --
HMAC-SHA256 of the raw body, WebSub style. Tests call ``deliver()`` to send
what is queued, so nothing waits on a timer; the demo can switch on a
background thread instead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx


@dataclass(slots=True)
class Webhook:
    """A registered admin webhook."""

    id: int
    name: str
    url: str
    events: list[str]
    jql: str | None = None
    secret: str | None = None
    enabled: bool = True


@dataclass(slots=True)
class Delivery:
    """One event on its way to one webhook; retried with the same identifier."""

    identifier: str
    webhook: Webhook
    body: bytes
    attempts: int = 0
    statuses: list[int] = field(default_factory=list)


def sign(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature`` value Jira sends for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Outbox:
    """Registered webhooks and the deliveries waiting for them."""

    def __init__(self, *, max_attempts: int = 4) -> None:
        self.webhooks: dict[int, Webhook] = {}
        self.pending: list[Delivery] = []
        self.delivered: list[Delivery] = []
        self.failed: list[Delivery] = []
        self.max_attempts = max_attempts
        self._next_id = 1
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stop = False

    def register(
        self,
        url: str,
        events: list[str],
        *,
        name: str = "",
        jql: str | None = None,
        secret: str | None = None,
    ) -> Webhook:
        """Add a webhook (what ``POST /rest/webhooks/1.0/webhook`` does)."""
        with self._lock:
            hook = Webhook(
                self._next_id, name or f"webhook {self._next_id}", url, events, jql, secret
            )
            self.webhooks[hook.id] = hook
            self._next_id += 1
            return hook

    def enqueue(
        self, event: str, payload: dict[str, Any], matches: Callable[[Webhook], bool]
    ) -> None:
        """Queue ``payload`` for every enabled webhook subscribed to ``event``."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        with self._lock:
            for hook in self.webhooks.values():
                if hook.enabled and event in hook.events and matches(hook):
                    self.pending.append(Delivery(str(uuid.uuid4()), hook, body))
        self._wake.set()

    def deliver(self, client: httpx.Client | None = None) -> list[Delivery]:
        """Send every pending delivery once; failures stay queued until ``max_attempts``."""
        with self._lock:
            batch, self.pending = self.pending, []
        owned = client is None
        http = client or httpx.Client(timeout=10.0)
        done: list[Delivery] = []
        try:
            for delivery in batch:
                status = self._send(http, delivery)
                delivery.statuses.append(status)
                delivery.attempts += 1
                with self._lock:
                    if 200 <= status < 300:
                        self.delivered.append(delivery)
                        done.append(delivery)
                    elif delivery.attempts >= self.max_attempts:
                        self.failed.append(delivery)
                    else:
                        self.pending.append(delivery)
        finally:
            if owned:
                http.close()
        return done

    def _send(self, http: httpx.Client, delivery: Delivery) -> int:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Atlassian Webhook HTTP Client",
            "X-Atlassian-Webhook-Identifier": delivery.identifier,
            "X-Atlassian-Webhook-Flow": "Primary",
        }
        if delivery.attempts:
            headers["X-Atlassian-Webhook-Retry"] = str(delivery.attempts)
        if delivery.webhook.secret:
            headers["X-Hub-Signature"] = sign(delivery.webhook.secret, delivery.body)
        try:
            return http.post(
                delivery.webhook.url, content=delivery.body, headers=headers
            ).status_code
        except httpx.HTTPError:
            return 0

    def start(self) -> None:
        """Deliver in a background thread as events arrive (for the demo and the CLI)."""
        if self._thread is not None:
            return
        self._stop = False

        def loop() -> None:
            with httpx.Client(timeout=10.0) as http:
                while not self._stop:
                    self._wake.wait(timeout=5.0)
                    self._wake.clear()
                    if not self._stop:
                        self.deliver(http)

        self._thread = threading.Thread(target=loop, name="jira-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread, if running."""
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def event_payload(
    event: str,
    issue_json: dict[str, Any],
    user_json: dict[str, Any],
    items: list[dict[str, Any]],
    when: datetime,
) -> dict[str, Any]:
    """The body of an issue event, as Jira composes it (v2 representation)."""
    type_name = {
        "jira:issue_created": "issue_created",
        "jira:issue_deleted": "issue_deleted",
    }.get(event)
    if type_name is None:
        fields = {item["field"] for item in items}
        type_name = "issue_generic" if "status" in fields else "issue_updated"
    payload: dict[str, Any] = {
        "timestamp": int(when.timestamp() * 1000),
        "webhookEvent": event,
        "issue_event_type_name": type_name,
        "user": user_json,
        "issue": issue_json,
    }
    if items:
        payload["changelog"] = {"id": str(int(when.timestamp() * 1000) % 10**8), "items": items}
    return payload
