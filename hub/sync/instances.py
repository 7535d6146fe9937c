"""Building connector instances and finding mappings for a pipeline's bindings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from connectors.sdk import ConfigError, Connector, registry
from hub.mapping import CompiledMapping, load_file, mapping_files
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
    """The mappings under the mappings folder, found by a cheap scan and compiled on demand.

    A run needs a few of the files; compiling all of them (Jinja expressions, pydantic)
    cost more than a quiet incremental run itself. The scan reads only each file's
    ``connector:`` and ``stream:`` lines; a file is parsed and checked in full when a
    binding asks for it (``synchub mappings validate`` still checks them all).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths: dict[tuple[str, str], list[Path]] = {}
        for path in mapping_files(root) if root.exists() else []:
            key = _header(path)
            if key is not None:
                self.paths.setdefault(key, []).append(path)
        self._compiled: dict[Path, CompiledMapping] = {}

    @property
    def by_stream(self) -> dict[tuple[str, str], CompiledMapping]:
        """Every mapping, compiled (for callers that need them all)."""
        return {key: self._load(paths[0]) for key, paths in self.paths.items() if len(paths) == 1}

    def _load(self, path: Path) -> CompiledMapping:
        if path not in self._compiled:
            self._compiled[path] = load_file(path, connectors=registry.names() or None)
        return self._compiled[path]

    def for_binding(self, binding: StreamBinding, connector_type: str) -> CompiledMapping:
        """The mapping of a binding: the file it names, or the one for its connector and stream."""
        if binding.mapping:
            path = self.root / f"{binding.mapping}.yaml"
            if not path.exists():
                raise ConfigError(
                    f"mapping file {path} named by binding {binding.connector}.{binding.stream} does not exist"
                )
            return self._load(path)
        paths = self.paths.get((connector_type, binding.stream), [])
        if len(paths) > 1:
            names = ", ".join(str(p) for p in paths)
            raise ConfigError(
                f"stream {binding.stream!r} of {connector_type!r} is mapped twice: {names}"
            )
        if not paths:
            raise ConfigError(
                f"no mapping for stream {binding.stream!r} of connector type {connector_type!r} under {self.root}"
            )
        mapping = self._load(paths[0])
        if (mapping.spec.connector, mapping.spec.stream) != (connector_type, binding.stream):
            raise ConfigError(f"{paths[0]}: its header does not say what its body does")
        return mapping


_HEADER = re.compile(r"^(connector|stream):[ \t]*[\"']?([^\"'#\s]+)", re.MULTILINE)


def _header(path: Path) -> tuple[str, str] | None:
    """(connector, stream) from a mapping file's top-level lines, without parsing it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found: dict[str, str] = {m.group(1): m.group(2) for m in _HEADER.finditer(text)}
    if "connector" not in found or "stream" not in found:
        return None
    return found["connector"], found["stream"]
