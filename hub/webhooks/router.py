"""``POST /hooks/{connector_instance}``: the endpoint vendors send change notifications to.

The connector instance verifies the delivery itself (``Connector.authenticate_webhook``,
reached through the registry: Zoho's channel token, Jira's ``X-Hub-Signature``
HMAC, the vendor's own scheme where a connector overrides it). Anything that
does not verify, an unknown or disabled instance included, gets a bare 401: no
body, nothing that tells a prober what exists. A replay gets a bare 409. A
verified delivery gets 202 and queues debounced runs (``intake``).

Logs name the instance, the outcome and the body's size, never the body or the
headers: notifications carry tokens and record data.

The router reads ``request.app.state.hub`` (``settings`` and ``engine``), which the
web app sets; a bare FastAPI app in a test sets the same two attributes.
"""

from __future__ import annotations

import logging
from typing import Protocol

from fastapi import APIRouter, Request, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from connectors.sdk import ConnectorError
from hub.config_store import effective_settings
from hub.settings import Settings
from hub.sync.instances import build_connector
from hub.webhooks.intake import take

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000
"""Bytes; vendors send ids and a few fields, never documents."""

router = APIRouter()


class HubAppState(Protocol):
    """What the router needs from ``app.state.hub``."""

    settings: Settings
    engine: Engine


@router.post("/hooks/{connector_instance}", include_in_schema=False)
async def receive(connector_instance: str, request: Request) -> Response:
    """Verify a vendor notification and queue the runs it asks for (see module docstring)."""
    state: HubAppState = request.app.state.hub
    body = await request.body()
    if len(body) > MAX_BODY:
        log.warning(
            "webhook for %s refused: body of %d bytes is too large", connector_instance, len(body)
        )
        return Response(status_code=413)
    settings = await run_in_threadpool(effective_settings, state.settings, state.engine)
    headers = dict(request.headers)
    if not await _verified(settings, connector_instance, headers, body):
        log.warning(
            "webhook for %s refused: not verified (%d bytes from %s)",
            connector_instance,
            len(body),
            request.client.host if request.client else "unknown",
        )
        return Response(status_code=401)
    intake = await run_in_threadpool(
        take, settings, state.engine, connector_instance, headers, body
    )
    if intake.replay:
        log.warning("webhook for %s refused as a replay: %s", connector_instance, intake.reason)
        return Response(status_code=409)
    log.info(
        "webhook for %s accepted (%d bytes); runs requested: %s",
        connector_instance,
        len(body),
        ", ".join(f"{p} (request {r})" for p, r in intake.requests.items())
        or "none (no pipeline reads it)",
    )
    return Response(status_code=202)


async def _verified(
    settings: Settings, instance: str, headers: dict[str, str], body: bytes
) -> bool:
    spec = settings.connectors.get(instance)
    if spec is None or not spec.enabled:
        return False
    try:
        connector = build_connector(settings, instance)
    except ConnectorError as exc:
        log.error("webhook for %s: connector cannot be built: %s", instance, exc)
        return False
    try:
        return bool(connector.authenticate_webhook(headers, body))
    except Exception:
        log.exception("webhook for %s: verification failed with an error", instance)
        return False
    finally:
        await connector.aclose()
