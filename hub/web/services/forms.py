"""Connector forms generated from each connector's config model.

A field's widget follows its type: ``SecretStr`` is a password input that is
never filled in (write-only: leaving it empty keeps the stored value), a
``Literal`` is a select, ``bool`` a checkbox, tuples and lists a comma-separated
text. The nested ``http`` transport options keep their defaults (hub.yaml can
still set them).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from hub.config_store import secret_fields

SKIPPED = frozenset({"http"})


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of a connector form."""

    name: str
    kind: str
    """text, secret, number, bool, choice or list."""
    required: bool
    description: str
    default: Any
    choices: tuple[str, ...] = ()


def _options(annotation: Any) -> tuple[Any, ...]:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return tuple(a for a in typing.get_args(annotation) if a is not type(None))
    return (annotation,)


def _kind(annotation: Any, secret: bool) -> tuple[str, tuple[str, ...]]:
    if secret:
        return "secret", ()
    options = _options(annotation)
    first = options[0] if options else str
    origin = typing.get_origin(first)
    if origin is Literal:
        return "choice", tuple(str(v) for v in typing.get_args(first))
    if first is bool:
        return "bool", ()
    if first in (int, float):
        return "number", ()
    if origin in (tuple, list, set, frozenset) or first in (tuple, list):
        return "list", ()
    return "text", ()


def form_fields(model: type[BaseModel]) -> list[FormField]:
    """The inputs of ``model``'s form, in declaration order."""
    secrets = secret_fields(model)
    fields = []
    for name, info in model.model_fields.items():
        if name in SKIPPED:
            continue
        kind, choices = _kind(info.annotation, name in secrets)
        default = None if info.default is PydanticUndefined else info.default
        if kind == "secret":
            default = None
        fields.append(
            FormField(name, kind, info.is_required(), info.description or "", default, choices)
        )
    return fields


def parse_form(model: type[BaseModel], form: dict[str, Any]) -> dict[str, Any]:
    """Form text to config values: empty optional inputs are left out, lists split on commas."""
    values: dict[str, Any] = {}
    for field in form_fields(model):
        raw = form.get(field.name)
        if field.kind == "bool":
            values[field.name] = raw in ("on", "true", "1", True)
            continue
        text = raw.strip() if isinstance(raw, str) else raw
        if text in (None, ""):
            continue
        if field.kind == "list":
            values[field.name] = [part.strip() for part in str(text).split(",") if part.strip()]
        else:
            values[field.name] = text
    return values


def shown_values(model: type[BaseModel], config: dict[str, Any]) -> dict[str, Any]:
    """Values to fill a form with: never a secret (secret inputs render empty)."""
    secrets = secret_fields(model)
    shown: dict[str, Any] = {}
    for key, value in config.items():
        if key in secrets or key in SKIPPED:
            continue
        shown[key] = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value
    return shown
