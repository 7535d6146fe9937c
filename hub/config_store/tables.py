"""Stored configuration: connector instances (secrets encrypted) and pipeline definitions.

A row overrides the hub.yaml entry of the same name; a row marked ``deleted``
hides a hub.yaml entry, so an admin can remove anything from the UI.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Text
from sqlmodel import Field, SQLModel

from hub.model.types import UtcDateTime


class ConnectorConfig(SQLModel, table=True):
    """One connector instance's non-secret settings and its encrypted secrets."""

    __tablename__ = "connector_config"

    name: str = Field(primary_key=True, max_length=60)
    type: str = Field(max_length=60)
    enabled: bool = True
    deleted: bool = False
    config: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    """Values of the non-secret fields only."""
    secrets: str | None = Field(default=None, sa_type=Text)
    """A Fernet token of the JSON object of secret fields (``None``: none stored)."""
    updated_at: datetime = Field(sa_type=UtcDateTime)
    updated_by: str = Field(max_length=100)


class PipelineConfig(SQLModel, table=True):
    """One pipeline's definition, in the shape of ``PipelineSettings``."""

    __tablename__ = "pipeline_config"

    name: str = Field(primary_key=True, max_length=60)
    deleted: bool = False
    definition: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    updated_by: str = Field(max_length=100)


CONFIG_TABLES = (ConnectorConfig, PipelineConfig)
