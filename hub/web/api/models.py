"""Request and response shapes of the JSON API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class PageOut(BaseModel):
    """One page of a list."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class Me(BaseModel):
    """The caller."""

    name: str
    role: str


class ConnectorIn(BaseModel):
    """A connector instance to create or replace; secrets may be omitted to keep the held ones."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(max_length=60)
    enabled: bool = True
    config: dict[str, Any] = Field(default_factory=dict)


class CheckOut(BaseModel):
    """The outcome of a connection check."""

    ok: bool
    message: str


class RunIn(BaseModel):
    """Options of a run started through the API."""

    model_config = ConfigDict(extra="forbid")

    dry_run: bool = False
    full: bool = False


class RunStarted(BaseModel):
    """The id of the run just started."""

    run_id: str


class MappingText(BaseModel):
    """Mapping YAML to validate or save."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=200_000)


class Validation(BaseModel):
    """Whether a mapping is valid, and its problems."""

    valid: bool
    error: str | None = None


class RetryOut(BaseModel):
    """Whether a dead letter went through."""

    resolved: bool
    message: str


class ResolveIn(BaseModel):
    """A conflict resolution: a side, a typed value, or the hub id to link (``__new__``: new)."""

    model_config = ConfigDict(extra="forbid")

    use: str | None = Field(None, max_length=100)
    value: Any = None
    link_to: str | None = Field(None, max_length=100)


class TokenIn(BaseModel):
    """A name for a new token."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("token", max_length=60)


class TokenOut(BaseModel):
    """A new token: the only time it is shown."""

    id: int
    name: str
    token: str


class Done(BaseModel):
    """An action that has nothing else to say."""

    status: Literal["ok"] = "ok"
