"""Webhook helpers for the hub's endpoint: signature check and the event's gist.

Jira signs admin webhooks that have a secret with ``X-Hub-Signature:
sha256=<hex HMAC-SHA256 of the raw body>``. Verify the raw bytes *before*
parsing JSON (re-serialising changes them) and compare in constant time.
Deliveries repeat and arrive out of order: de-duplicate on
``X-Atlassian-Webhook-Identifier`` and treat the body as a hint to re-read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass

SIGNATURE_HEADER = "X-Hub-Signature"
IDENTIFIER_HEADER = "X-Atlassian-Webhook-Identifier"


def sign(secret: str | bytes, body: bytes) -> str:
    """The header value Jira computes for ``body`` (for tests and tools)."""
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_signature(secret: str | bytes, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the valid ``X-Hub-Signature`` of the raw ``body``.

    False for a missing header, another algorithm, or any mismatch; never raises.
    """
    if not header or not secret:
        return False
    method, _, digest = header.strip().partition("=")
    if method.lower() != "sha256" or not digest:
        return False
    expected = sign(secret, body).partition("=")[2]
    return hmac.compare_digest(expected, digest.strip().lower())


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """What a delivery says happened, enough to decide which stream to re-read."""

    identifier: str | None
    event: str
    issue_id: str | None
    issue_key: str | None
    labels: tuple[str, ...]

    def stream(self, contract_label: str, milestone_label: str) -> str | None:
        """``epics`` or ``milestones`` by the marker label, None for other issues."""
        if contract_label in self.labels:
            return "epics"
        if milestone_label in self.labels:
            return "milestones"
        return None


def parse_event(headers: Mapping[str, str], body: bytes) -> WebhookEvent:
    """The gist of a (verified) delivery; ``ValueError`` if the body is not an event."""
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"webhook body is not JSON: {exc}") from None
    if not isinstance(payload, dict) or "webhookEvent" not in payload:
        raise ValueError("webhook body has no webhookEvent")
    issue = payload.get("issue") or {}
    labels = (issue.get("fields") or {}).get("labels") or []
    lowered = {k.lower(): v for k, v in headers.items()}
    return WebhookEvent(
        identifier=lowered.get(IDENTIFIER_HEADER.lower()),
        event=str(payload["webhookEvent"]),
        issue_id=str(issue["id"]) if issue.get("id") is not None else None,
        issue_key=issue.get("key"),
        labels=tuple(str(label) for label in labels),
    )
