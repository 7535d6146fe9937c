"""Building connector instances and finding mappings for a pipeline's bindings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from connectors.sdk import ConfigError, Connector, registry
from hub.mapping import CompiledMapping, load_dir, load_file
from hub.settings import Settings, StreamBinding


def build_connector(
    settings: Settings, instance: str, *, transport: httpx.AsyncBaseTransport | None = None
) -> Connector[Any]:
    """The configured connector instance ``instance`` (config validated by its model)."""
    try:
        spec = settings.connectors[instance]
    except KeyError:
        known = ", ".join(settings.connectors) or "none"
        raise ConfigError(
            f"no connector instance {instance!r} is configured (configured: {known})"
        ) from None
    if not spec.enabled:
        raise ConfigError(f"connector instance {instance!r} is disabled", connector=instance)
    cls = registry.load(spec.type)
    return cls(spec.config, instance=instance, transport=transport)


class MappingCatalogue:
    """Every mapping under the mappings folder, loaded and validated once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.by_stream = (
            load_dir(root, connectors=registry.names() or None) if root.exists() else {}
        )

    def for_binding(self, binding: StreamBinding, connector_type: str) -> CompiledMapping:
        """The mapping of a binding: the file it names, or the one for its connector and stream."""
        if binding.mapping:
            path = self.root / f"{binding.mapping}.yaml"
            if not path.exists():
                raise ConfigError(
                    f"mapping file {path} named by binding {binding.connector}.{binding.stream} does not exist"
                )
            return load_file(path)
        try:
            return self.by_stream[(connector_type, binding.stream)]
        except KeyError:
            raise ConfigError(
                f"no mapping for stream {binding.stream!r} of connector type {connector_type!r} under {self.root}"
            ) from None
