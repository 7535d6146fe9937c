"""What happens to a verified notification: replay check, then debounced run requests.

A delivery is remembered in ``webhook_delivery`` by the SHA-256 of its raw
body and, when the vendor sends one, by its delivery id (Jira's
``X-Atlassian-Webhook-Identifier``, stable across its retries); either seen
before makes it a replay. The body counts even when an id comes with it: the
id header is not signed, so a captured delivery sent again under a fresh id
(or none) is still the same signed body. A body carrying the vendor's send time (Zoho
``server_time``, Jira ``timestamp``, both in milliseconds) older than
``webhooks.max_age_seconds`` is a replay too, so the table need not be kept
forever.

The notification asks for an incremental run of every enabled pipeline that
reads from the instance. Requests are folded per pipeline: the first one is due
``webhooks.debounce_seconds`` later and every notification until then only
counts a hit, so a burst of a hundred becomes one run. A request waits while
its pipeline is paused or running.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from hub.scheduling import names
from hub.scheduling.specs import RUN_PIPELINE
from hub.settings import Settings
from hub.webhooks.tables import WebhookDelivery
from jobs.requests import RequestQueue

log = logging.getLogger(__name__)
DELIVERY = WebhookDelivery.__table__  # type: ignore[attr-defined]
DELIVERY_ID_HEADERS = ("x-atlassian-webhook-identifier", "x-delivery-id")
TIMESTAMP_FIELDS = ("server_time", "timestamp")


@dataclass
class Intake:
    """The outcome of one accepted or replayed delivery."""

    replay: bool = False
    reason: str = ""
    requests: dict[str, int] = field(default_factory=dict)
    """Request id by pipeline."""


def affected_pipelines(settings: Settings, instance: str) -> list[str]:
    """Enabled pipelines that read from connector ``instance``."""
    return [
        name
        for name, pipeline in settings.pipelines.items()
        if pipeline.enabled and any(b.connector == instance and b.pulls for b in pipeline.streams)
    ]


def take(
    settings: Settings,
    engine: Engine,
    instance: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime | None = None,
) -> Intake:
    """Record a verified delivery and queue the runs it asks for (see module docstring)."""
    now = now or datetime.now(UTC)
    stale = _stale(body, now, settings.webhooks.max_age_seconds)
    if stale:
        return Intake(replay=True, reason=stale)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(DELIVERY),
                [
                    {"connector": instance, "digest": digest, "received_at": now}
                    for digest in delivery_digests(headers, body)
                ],
            )
    except IntegrityError:
        return Intake(replay=True, reason="delivery already received")
    queue = RequestQueue(engine)
    intake = Intake()
    for pipeline in affected_pipelines(settings, instance):
        request = queue.submit(
            names.request_key(pipeline),
            RUN_PIPELINE,
            {"pipeline": pipeline, "trigger": "webhook"},
            delay=settings.webhooks.debounce_seconds,
            job_id=names.job_id(pipeline),
            lease=names.lease_name(pipeline),
            requested_by=f"webhook:{instance}",
        )
        intake.requests[pipeline] = request.id
    return intake


def delivery_digests(headers: Mapping[str, str], body: bytes) -> list[str]:
    """What identifies a delivery: the body's SHA-256, and the vendor's delivery id if sent."""
    digests = [hashlib.sha256(body).hexdigest()]
    lowered = {k.lower(): v for k, v in headers.items()}
    for header in DELIVERY_ID_HEADERS:
        if lowered.get(header):
            digests.append(hashlib.sha256(f"{header}:{lowered[header]}".encode()).hexdigest())
            break
    return digests


def _stale(body: bytes, now: datetime, max_age: float) -> str:
    try:
        payload: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    if not isinstance(payload, dict):
        return ""
    for key in TIMESTAMP_FIELDS:
        value = payload.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            sent = datetime.fromtimestamp(value / 1000 if value > 10**11 else value, UTC)
            age = (now - sent).total_seconds()
            if abs(age) > max_age:
                return f"sent at {sent:%Y-%m-%d %H:%M:%S} UTC, outside the {max_age:g} s window"
            return ""
    return ""
