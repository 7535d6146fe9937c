"""The settings model: every key the hub reads, its default and what it accepts.

``config/hub.example.yaml`` and ``config/.env.example`` document the same keys;
``tests/unit/hub/settings`` checks that every key here appears in both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub.budgets.settings import BudgetSettings
from hub.finance.settings import FinanceSettings
from hub.scheduling.settings import SchedulingSettings, WebhookSettings
from hub.settings.pipelines import PipelineSettings

DEFAULT_DATABASE_URL = "sqlite:///var/synchub.db"


class WebSettings(BaseModel):
    """Where the web app listens."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="Interface to bind; 0.0.0.0 to serve the network.")
    port: int = Field(8000, ge=1, le=65535, description="TCP port of the web app.")


class ConnectorInstance(BaseModel):
    """One configured connector: its registered type and the config its model validates.

    Secrets belong in the environment (``SYNCHUB_CONNECTORS__<NAME>__CONFIG__<KEY>``)
    or the encrypted store, never in a committed YAML file.
    """

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="Registered connector name, e.g. zoho-crm or kingdee.")
    config: dict[str, Any] = Field(
        default_factory=dict, description="Validated by the connector's config model."
    )
    enabled: bool = True


class Settings(BaseSettings):
    """Every hub setting. Built once at start-up by ``load_settings`` and passed down."""

    model_config = SettingsConfigDict(
        env_prefix="SYNCHUB_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path/file.db (default) or postgresql://user@host/db.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key that encrypts stored connector secrets; generate with `synchub secrets keygen`.",
    )
    timezone: str = Field(
        "Asia/Shanghai", description="Business time zone for display and date buckets."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Root log level."
    )
    data_dir: Path = Field(
        Path("var"), description="Where the SQLite file, reports and run artefacts live."
    )
    mappings_dir: Path = Field(Path("mappings"), description="Folder of mapping YAML files.")
    broker_url: str | None = Field(
        None, description="Celery broker for scale-out, e.g. redis://127.0.0.1:6379/0."
    )
    web: WebSettings = Field(default_factory=WebSettings)
    connectors: dict[str, ConnectorInstance] = Field(
        default_factory=dict, description="Connector instances by name."
    )
    pipelines: dict[str, PipelineSettings] = Field(
        default_factory=dict, description="Sync pipelines by name."
    )
    finance: FinanceSettings = Field(default_factory=FinanceSettings)
    scheduling: SchedulingSettings = Field(default_factory=SchedulingSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    budgets: dict[str, BudgetSettings] = Field(
        default_factory=dict, description="Daily API budgets by connector instance name."
    )

    @model_validator(mode="after")
    def _pipelines_name_known_connectors(self) -> Settings:
        for name, pipeline in self.pipelines.items():
            for index, binding in enumerate(pipeline.streams):
                if binding.connector not in self.connectors:
                    known = ", ".join(self.connectors) or "none configured"
                    raise ValueError(
                        f"pipelines.{name}.streams[{index}].connector: no connector instance "
                        f"{binding.connector!r} (configured: {known})"
                    )
        return self

    @model_validator(mode="after")
    def _budgets_name_known_connectors(self) -> Settings:
        for name in self.budgets:
            if name not in self.connectors:
                known = ", ".join(self.connectors) or "none configured"
                raise ValueError(
                    f"budgets.{name}: no connector instance {name!r} (configured: {known})"
                )
        return self

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if value.startswith(("postgresql://", "postgres://")):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        if value.startswith(("sqlite://", "postgresql+psycopg://")):
            return value
        raise ValueError(
            "expected sqlite:///path/to/file.db or postgresql://user@host:port/database"
        )

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as Asia/Shanghai") from None
        return value

    @field_validator("broker_url")
    @classmethod
    def _broker(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "amqp://")):
            raise ValueError("expected redis://host:port/db or amqp://...")
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The business time zone as a tzinfo."""
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        """Whether the store is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")
