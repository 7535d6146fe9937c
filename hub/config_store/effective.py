"""The settings the hub really runs with: hub.yaml and environment, overlaid by the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, inspect

from hub.config_store.crypto import SecretBox, SecretKeyError
from hub.config_store.store import (
    effective_instance,
    list_connectors,
    list_pipelines,
    stored_secrets,
)
from hub.settings import ConnectorInstance, Settings, SettingsError


def _store_exists(engine: Engine) -> bool:
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not Path(database).exists():
            return False
    return inspect(engine).has_table("connector_config")


def effective_settings(settings: Settings, engine: Engine) -> Settings:
    """``settings`` with stored connectors and pipelines laid over (or hiding) hub.yaml's.

    Without the store's tables (a database not yet upgraded) the settings come back
    unchanged. ``SettingsError`` when the merge is invalid or secrets cannot be opened.
    """
    if not _store_exists(engine):
        return settings
    try:
        connectors = _connectors(settings, engine)
    except SecretKeyError as exc:
        raise SettingsError(str(exc)) from None
    pipelines: dict[str, Any] = dict(settings.pipelines)
    for pipeline in list_pipelines(engine):
        if pipeline.deleted:
            pipelines.pop(pipeline.name, None)
        else:
            pipelines[pipeline.name] = pipeline.definition
    data = {**dict(settings), "connectors": connectors, "pipelines": pipelines}
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        raise SettingsError(f"stored configuration does not fit: {first}") from None


def _connectors(settings: Settings, engine: Engine) -> dict[str, ConnectorInstance]:
    box = SecretBox.from_secret(settings.secret_key)
    connectors = dict(settings.connectors)
    for stored in list_connectors(engine, box):
        if stored.deleted:
            connectors.pop(stored.name, None)
            continue
        secrets = stored_secrets(engine, stored.name, box)
        connectors[stored.name] = effective_instance(
            settings.connectors.get(stored.name), stored, secrets
        )
    return connectors
