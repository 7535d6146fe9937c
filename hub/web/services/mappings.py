"""Mapping files for the console: list, read, validate, save (audited, gated), live preview.

A saved mapping is validated first and never written if invalid; the file is
replaced atomically. The preview reads the first page of the mapping's stream
from a configured instance of its connector type and maps the first record in,
then back out, so an admin sees both directions on real data.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from connectors.sdk import ConnectorError, mask_text, registry
from hub.auth.users import audit
from hub.mapping import (
    CompiledMapping,
    MappingError,
    MappingFileError,
    load_file,
    load_text,
    mapping_files,
)
from hub.model import CanonicalValidationError, validate
from hub.settings import Settings
from hub.sync.instances import build_connector


class MappingPathError(ValueError):
    """The path names no mapping file under the mappings folder."""


@dataclass(frozen=True, slots=True)
class MappingInfo:
    """One mapping file and whether it loads."""

    path: str
    connector: str | None
    stream: str | None
    entity: str | None
    error: str | None


def resolve_path(settings: Settings, relative: str) -> Path:
    """The file ``relative`` under the mappings folder (refusing anything outside it)."""
    root = settings.mappings_dir.resolve()
    target = (root / relative).resolve()
    if target.suffix != ".yaml" or root not in target.parents:
        raise MappingPathError(f"{relative!r} is not a mapping file under {settings.mappings_dir}")
    return target


def list_mappings(settings: Settings) -> list[MappingInfo]:
    """Every mapping file with its header, or its first error."""
    root = settings.mappings_dir
    infos = []
    for file in mapping_files(root) if root.exists() else []:
        relative = file.relative_to(root).as_posix()
        try:
            compiled = load_file(file, connectors=registry.names() or None)
        except MappingFileError as exc:
            infos.append(MappingInfo(relative, None, None, None, str(exc)))
            continue
        spec = compiled.spec
        infos.append(MappingInfo(relative, spec.connector, spec.stream, spec.entity, None))
    return infos


def read_text(target: Path) -> tuple[str, str | None]:
    """A mapping file's text for display, and why it is not UTF-8 if it is not.

    A file saved in another encoding is shown with replacement characters, so an
    admin sees and fixes it in the editor instead of meeting a server error.
    """
    raw = target.read_bytes()
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return raw.decode("utf-8", errors="replace"), (
            f"{target.name}:{line}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        )


def check_text(text: str, relative: str) -> CompiledMapping:
    """Compile ``text``; ``MappingFileError`` lists every problem with line and field."""
    return load_text(text, relative, connectors=registry.names() or None)


def save_mapping(
    engine: Engine, settings: Settings, relative: str, text: str, *, actor: str
) -> None:
    """Validate, then atomically replace the file, then audit (the gate: invalid text raises)."""
    target = resolve_path(settings, relative)
    check_text(text, relative)
    before = read_text(target)[0] if target.exists() else None
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".mapping-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    Path(temporary).replace(target)
    with engine.begin() as conn:
        audit(
            conn,
            actor,
            "mapping.save",
            relative,
            created=before is None,
            lines_before=len((before or "").splitlines()),
            lines_after=len(text.splitlines()),
        )


@dataclass(frozen=True, slots=True)
class Preview:
    """A sample record before and after mapping, both ways, and what went wrong if anything."""

    instance: str
    remote: dict[str, Any] | None
    canonical: dict[str, Any] | None
    outbound: dict[str, Any] | None
    problems: list[str]


async def preview(settings: Settings, mapping: CompiledMapping, instance: str) -> Preview:
    """Map the first record of the stream read from ``instance`` in, then out again."""
    problems: list[str] = []
    try:
        connector = build_connector(settings, instance)
        async with connector:
            record = None
            async for page in connector.read(mapping.spec.stream):
                if page.records:
                    record = dict(page.records[0])
                    break
    except ConnectorError as exc:
        return Preview(instance, None, None, None, [mask_text(str(exc))])
    if record is None:
        return Preview(instance, None, None, None, ["the stream returned no records"])
    try:
        mapped = mapping.apply_in(record, resolve=lambda entity, rid, key: f"<{entity} {rid}>")
    except MappingError as exc:
        return Preview(instance, record, None, None, [str(exc)])
    canonical = mapped.values
    try:
        validate(
            mapping.spec.entity,
            {k: v for k, v in canonical.items() if not (isinstance(v, str) and v.startswith("<"))},
        )
    except CanonicalValidationError as exc:
        problems.append(str(exc))
    try:
        outbound = mapping.apply_out(canonical, mapped.extra, lambda entity, hub_id, key: hub_id)
    except MappingError as exc:
        outbound = None
        problems.append(str(exc))
    return Preview(instance, record, _jsonable(canonical), outbound, problems)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(values, default=str))
    return result


def instances_for(settings: Settings, connector_type: str) -> list[str]:
    """Configured instances of a connector type (where a preview can read from)."""
    return sorted(
        n for n, spec in settings.connectors.items() if spec.type == connector_type and spec.enabled
    )
