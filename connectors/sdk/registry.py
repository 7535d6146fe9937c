"""Connector discovery through the ``synchub.connectors`` entry-point group.

Loading is lazy: listing names reads package metadata only, and a vendor module
is imported the first time its connector is asked for, so a broken third-party
plug-in cannot stop the hub from starting.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from connectors.sdk.connector import Connector
from connectors.sdk.errors import ConfigError

GROUP = "synchub.connectors"


@cache
def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def names() -> list[str]:
    """Registered connector names, sorted."""
    return sorted(_entry_points())


def load(name: str) -> type[Connector[Any]]:
    """The connector class registered as ``name``; ``ConfigError`` lists the known ones."""
    try:
        entry = _entry_points()[name]
    except KeyError:
        known = ", ".join(names()) or "none"
        raise ConfigError(
            f"no connector named {name!r} is installed (installed: {known})"
        ) from None
    cls = entry.load()
    if not (isinstance(cls, type) and issubclass(cls, Connector)):
        raise ConfigError(f"entry point {name!r} ({entry.value}) is not a Connector class")
    return cls


def resolve(reference: str) -> Any:
    """Import ``module:attribute`` (the form connectors use to name their sandbox)."""
    module_name, _, attribute = reference.partition(":")
    if not attribute:
        raise ConfigError(f"reference {reference!r} must look like 'package.module:Name'")
    return getattr(importlib.import_module(module_name), attribute)
