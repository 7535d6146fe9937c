"""Connector instances as the console shows them: effective config without secrets, origin, check."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from connectors.sdk import ConnectorError, mask_text, registry
from hub.config_store import get_connector, secret_fields
from hub.settings import Settings
from hub.sync.instances import build_connector
from hub.web.services.forms import shown_values
from hub.web.state import HubState


@dataclass(frozen=True, slots=True)
class InstanceView:
    """One connector instance without its secrets."""

    name: str
    type: str
    title: str
    enabled: bool
    origin: str
    """``store`` (edited in the UI), ``file`` (hub.yaml / environment) or ``both``."""
    config: dict[str, Any]
    secrets: dict[str, bool]
    """Each secret field and whether a value is held."""


def instance_views(state: HubState, settings: Settings) -> list[InstanceView]:
    """Every effective connector instance, by name."""
    return [instance_view(state, settings, name) for name in sorted(settings.connectors)]


def instance_view(state: HubState, settings: Settings, name: str) -> InstanceView:
    """One effective instance (``KeyError`` if unknown)."""
    spec = settings.connectors[name]
    cls = registry.load(spec.type)
    stored = get_connector(state.engine, name, state.box)
    in_file = name in state.settings.connectors
    origin = "both" if stored and in_file else ("store" if stored else "file")
    secrets = {
        field: bool(spec.config.get(field)) for field in sorted(secret_fields(cls.config_model))
    }
    return InstanceView(
        name,
        spec.type,
        getattr(cls, "title", spec.type),
        spec.enabled,
        origin,
        shown_values(cls.config_model, spec.config),
        secrets,
    )


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What ``check()`` said, secrets masked."""

    ok: bool
    message: str


async def check_instance(settings: Settings, name: str) -> CheckOutcome:
    """Run the instance's ``check()`` (its own timeouts apply; 60 s at most overall)."""
    try:
        connector = build_connector(settings, name)
    except ConnectorError as exc:
        return CheckOutcome(False, mask_text(str(exc)))
    try:
        async with connector:
            result = await asyncio.wait_for(connector.check(), timeout=60)
    except (ConnectorError, TimeoutError, OSError) as exc:
        return CheckOutcome(False, mask_text(f"{type(exc).__name__}: {exc}"))
    return CheckOutcome(bool(result.ok), mask_text(result.message))
