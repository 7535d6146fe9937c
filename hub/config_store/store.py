"""Reading and writing stored connector instances and pipelines, each change audited.

A connector is validated by its own config model against what it will really
run with (hub.yaml values, overlaid by the stored ones, overlaid by the form)
before anything is stored, so the store never holds a configuration that cannot
start. Audit rows name the fields changed, never a secret value.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError
from sqlalchemy import Engine, delete, insert, select, update

from connectors.sdk import ConfigError, registry
from hub.auth.users import audit
from hub.config_store.crypto import SecretBox, SecretKeyError
from hub.config_store.tables import ConnectorConfig, PipelineConfig
from hub.settings import ConnectorInstance, PipelineSettings, Settings

CONNECTOR = ConnectorConfig.__table__  # type: ignore[attr-defined]
PIPELINE = PipelineConfig.__table__  # type: ignore[attr-defined]


class ConfigStoreError(ValueError):
    """A stored-configuration change is refused; ``fields`` maps form fields to messages."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


@dataclass(frozen=True, slots=True)
class StoredConnector:
    """A stored connector row, secrets reduced to the names of those set."""

    name: str
    type: str
    enabled: bool
    deleted: bool
    config: dict[str, Any]
    secrets_set: tuple[str, ...]
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True, slots=True)
class StoredPipeline:
    """A stored pipeline row."""

    name: str
    deleted: bool
    definition: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None
    updated_by: str = ""


def secret_fields(model: type[BaseModel]) -> set[str]:
    """Names of the fields typed ``SecretStr`` (or optional ``SecretStr``) in a config model."""
    names = set()
    for name, info in model.model_fields.items():
        annotation = info.annotation
        options = (
            typing.get_args(annotation)
            if isinstance(annotation, types.UnionType)
            or typing.get_origin(annotation) is typing.Union
            else (annotation,)
        )
        if SecretStr in options:
            names.add(name)
    return names


def _stored(row: Any, box: SecretBox | None) -> StoredConnector:
    names: tuple[str, ...] = ()
    if row.secrets and box is not None:
        names = tuple(sorted(box.decrypt(row.secrets)))
    elif row.secrets:
        names = ("?",)
    return StoredConnector(
        row.name,
        row.type,
        bool(row.enabled),
        bool(row.deleted),
        dict(row.config or {}),
        names,
        row.updated_at,
        row.updated_by,
    )


def list_connectors(engine: Engine, box: SecretBox | None) -> list[StoredConnector]:
    """Every stored connector row (tombstones included), by name."""
    with engine.connect() as conn:
        rows = conn.execute(select(CONNECTOR).order_by(CONNECTOR.c.name)).all()
    return [_stored(r, box) for r in rows]


def get_connector(engine: Engine, name: str, box: SecretBox | None) -> StoredConnector | None:
    """One stored connector row."""
    with engine.connect() as conn:
        row = conn.execute(select(CONNECTOR).where(CONNECTOR.c.name == name)).first()
    return _stored(row, box) if row else None


def stored_secrets(engine: Engine, name: str, box: SecretBox | None) -> dict[str, str]:
    """The decrypted secrets stored for ``name`` (empty when none)."""
    with engine.connect() as conn:
        token = conn.execute(select(CONNECTOR.c.secrets).where(CONNECTOR.c.name == name)).scalar()
    if not token:
        return {}
    if box is None:
        raise SecretKeyError("connector secrets are stored but SYNCHUB_SECRET_KEY is not set")
    return box.decrypt(token)


def save_connector(
    engine: Engine,
    settings: Settings,
    box: SecretBox | None,
    name: str,
    connector_type: str,
    values: dict[str, Any],
    *,
    actor: str,
    enabled: bool = True,
) -> None:
    """Create or update instance ``name``; empty secret fields keep the value already held."""
    if not name or not name.replace("-", "").replace("_", "").isalnum() or len(name) > 60:
        raise ConfigStoreError(
            "invalid name", {"name": "letters, digits, - and _ only, at most 60 characters"}
        )
    try:
        cls = registry.load(connector_type)
    except ConfigError as exc:
        raise ConfigStoreError(str(exc), {"type": str(exc)}) from None
    secret_names = secret_fields(cls.config_model)
    base = settings.connectors.get(name)
    base_config = dict(base.config) if base is not None and base.type == connector_type else {}
    current = get_connector(engine, name, box)
    current_config = (
        current.config if current and current.type == connector_type and not current.deleted else {}
    )
    held_secrets = (
        stored_secrets(engine, name, box) if current and current.type == connector_type else {}
    )
    new_secrets = {
        k: str(v) for k, v in values.items() if k in secret_names and v not in (None, "")
    }
    plain = {k: v for k, v in values.items() if k not in secret_names}
    merged = {**base_config, **current_config, **plain}
    merged = {k: v for k, v in merged.items() if v is not None}
    secrets = {**held_secrets, **new_secrets}
    _validate(
        cls.config_model,
        {**merged, **{k: v for k, v in base_config.items() if k in secret_names}, **secrets},
    )
    if secrets and box is None:
        raise ConfigStoreError(
            "SYNCHUB_SECRET_KEY is not set: secrets cannot be stored; "
            "generate a key with `synchub secrets keygen` and restart",
            dict.fromkeys(new_secrets, "needs SYNCHUB_SECRET_KEY"),
        )
    token = box.encrypt(secrets) if secrets and box is not None else None
    now = datetime.now(UTC)
    plain_config = {k: v for k, v in merged.items() if k not in secret_names}
    row: dict[str, Any] = {
        "type": connector_type,
        "enabled": enabled,
        "deleted": False,
        "config": plain_config,
        "secrets": token,
        "updated_at": now,
        "updated_by": actor,
    }
    changed = sorted(k for k in plain_config if plain_config.get(k) != current_config.get(k))
    with engine.begin() as conn:
        if current is None:
            conn.execute(insert(CONNECTOR).values(name=name, **row))
        else:
            conn.execute(update(CONNECTOR).where(CONNECTOR.c.name == name).values(**row))
        audit(
            conn,
            actor,
            "connector.create" if current is None or current.deleted else "connector.update",
            name,
            type=connector_type,
            enabled=enabled,
            fields=changed,
            secrets_changed=sorted(new_secrets),
        )


def _validate(model: type[BaseModel], config: dict[str, Any]) -> None:
    try:
        model.model_validate(config)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for item in exc.errors(include_url=False):
            key = str(item["loc"][0]) if item["loc"] else "(form)"
            message = "required" if item["type"] == "missing" else item["msg"]
            fields.setdefault(key, message.removeprefix("Value error, "))
        raise ConfigStoreError("the configuration is not valid", fields) from None


def delete_connector(engine: Engine, settings: Settings, name: str, *, actor: str) -> None:
    """Remove instance ``name`` (a tombstone when hub.yaml defines it); refused while in use."""
    users = [
        p
        for p, spec in settings.pipelines.items()
        if any(b.connector == name for b in spec.streams)
    ]
    if users:
        raise ConfigStoreError(
            f"connector {name!r} is used by pipeline(s) {', '.join(sorted(users))}; change those first"
        )
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(delete(CONNECTOR).where(CONNECTOR.c.name == name))
        if name in settings.connectors:
            conn.execute(
                insert(CONNECTOR).values(
                    name=name,
                    type=settings.connectors[name].type,
                    enabled=False,
                    deleted=True,
                    config={},
                    secrets=None,
                    updated_at=now,
                    updated_by=actor,
                )
            )
        audit(conn, actor, "connector.delete", name)


def effective_instance(
    base: ConnectorInstance | None, stored: StoredConnector, secrets: dict[str, str]
) -> ConnectorInstance:
    """A stored row laid over the hub.yaml entry of the same name (same type only)."""
    base_config = dict(base.config) if base is not None and base.type == stored.type else {}
    return ConnectorInstance(
        type=stored.type,
        config={**base_config, **stored.config, **secrets},
        enabled=stored.enabled,
    )


def list_pipelines(engine: Engine) -> list[StoredPipeline]:
    """Every stored pipeline row (tombstones included), by name."""
    with engine.connect() as conn:
        rows = conn.execute(select(PIPELINE).order_by(PIPELINE.c.name)).all()
    return [
        StoredPipeline(
            r.name, bool(r.deleted), dict(r.definition or {}), r.updated_at, r.updated_by
        )
        for r in rows
    ]


def get_pipeline(engine: Engine, name: str) -> StoredPipeline | None:
    """One stored pipeline row."""
    return next((p for p in list_pipelines(engine) if p.name == name), None)


def save_pipeline(
    engine: Engine, settings: Settings, name: str, definition: dict[str, Any], *, actor: str
) -> PipelineSettings:
    """Create or replace pipeline ``name`` after validating it against the known connectors."""
    if not name or not name.replace("-", "").replace("_", "").isalnum() or len(name) > 60:
        raise ConfigStoreError("invalid name", {"name": "letters, digits, - and _ only"})
    try:
        pipeline = PipelineSettings.model_validate(definition)
    except ValidationError as exc:
        raise ConfigStoreError(
            "the pipeline is not valid",
            {
                ".".join(str(p) for p in e["loc"]) or "(form)": e["msg"]
                for e in exc.errors(include_url=False)
            },
        ) from None
    unknown = sorted({b.connector for b in pipeline.streams} - set(settings.connectors))
    if unknown:
        raise ConfigStoreError(
            f"unknown connector instance(s): {', '.join(unknown)}", {"streams": "unknown connector"}
        )
    now = datetime.now(UTC)
    stored = pipeline.model_dump(mode="json", exclude_defaults=True)
    with engine.begin() as conn:
        existed = conn.execute(select(PIPELINE.c.name).where(PIPELINE.c.name == name)).first()
        conn.execute(delete(PIPELINE).where(PIPELINE.c.name == name))
        conn.execute(
            insert(PIPELINE).values(
                name=name, deleted=False, definition=stored, updated_at=now, updated_by=actor
            )
        )
        audit(conn, actor, "pipeline.update" if existed else "pipeline.create", name)
    return pipeline


def delete_pipeline(engine: Engine, settings: Settings, name: str, *, actor: str) -> None:
    """Remove pipeline ``name`` (a tombstone when hub.yaml defines it)."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(delete(PIPELINE).where(PIPELINE.c.name == name))
        if name in settings.pipelines:
            conn.execute(
                insert(PIPELINE).values(
                    name=name, deleted=True, definition={}, updated_at=now, updated_by=actor
                )
            )
        audit(conn, actor, "pipeline.delete", name)


def rotate_secrets(engine: Engine, box: SecretBox, *, actor: str) -> int:
    """Re-encrypt every stored secret under the first key; all or nothing. Returns the count."""
    with engine.begin() as conn:
        rows = conn.execute(
            select(CONNECTOR.c.name, CONNECTOR.c.secrets).where(CONNECTOR.c.secrets.is_not(None))
        ).all()
        for row in rows:
            conn.execute(
                update(CONNECTOR)
                .where(CONNECTOR.c.name == row.name)
                .values(secrets=box.rotate(row.secrets))
            )
        audit(conn, actor, "secrets.rotate", "connector_config", count=len(rows))
    return len(rows)
