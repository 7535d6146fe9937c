"""Loading mapping files: YAML with line numbers -> pydantic spec -> semantic checks -> compiled.

Every problem found is reported at once, each with file, line and field, so an
admin fixes a file in one pass instead of one error per run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import ValidationError

from hub.mapping.compiled import CompiledMapping, is_expression, is_template, make_source
from hub.mapping.errors import MappingFileError
from hub.mapping.expressions import UnsafeExpression
from hub.mapping.spec import MappingSpec
from hub.mapping.yamlsrc import YamlSource
from hub.model.registry import ENTITIES, canonical_fields


def load_text(
    text: str, path: Path | str = "<text>", *, connectors: Iterable[str] | None = None
) -> CompiledMapping:
    """Parse, check and compile one mapping; ``MappingFileError`` lists every problem."""
    try:
        source = YamlSource(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise MappingFileError(path, [(line, "(file)", f"not valid YAML: {exc}")]) from None
    except RecursionError:
        raise MappingFileError(
            path,
            [(None, "(file)", "nested too deeply to be a mapping (lists or maps in lists...)")],
        ) from None
    if not isinstance(source.data, dict):
        raise MappingFileError(
            path, [(1, "(file)", "expected a mapping of keys (connector, stream, entity, fields)")]
        )
    try:
        spec = MappingSpec.model_validate(source.data)
    except ValidationError as exc:
        raise MappingFileError(path, _pydantic_problems(exc, source)) from None
    problems = _semantic_problems(spec, source, set(connectors) if connectors is not None else None)
    problems += _expression_problems(spec, source)
    if problems:
        raise MappingFileError(path, problems)
    return CompiledMapping.compile(
        spec, name=Path(str(path)).stem if path != "<text>" else spec.stream
    )


def load_file(path: Path, *, connectors: Iterable[str] | None = None) -> CompiledMapping:
    """Load one mapping file (UTF-8 text; anything else is an error naming file and line)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise MappingFileError(
            path, [(line, "(file)", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")]
        ) from None
    compiled = load_text(text, path, connectors=connectors)
    compiled.name = f"{path.parent.name}/{path.stem}"
    return compiled


def mapping_files(root: Path) -> list[Path]:
    """Every mapping file under ``root`` (or ``root`` itself if it is a file), sorted."""
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def load_dir(
    root: Path, *, connectors: Iterable[str] | None = None
) -> dict[tuple[str, str], CompiledMapping]:
    """Every mapping under ``root`` keyed by (connector, stream); errors of all files together."""
    result: dict[tuple[str, str], CompiledMapping] = {}
    errors: list[str] = []
    known = list(connectors) if connectors is not None else None
    for path in mapping_files(root):
        try:
            mapping = load_file(path, connectors=known)
        except MappingFileError as exc:
            errors.append(str(exc))
            continue
        key = (mapping.spec.connector, mapping.spec.stream)
        if key in result:
            errors.append(
                f"{path}:1: (file): stream {key[1]!r} of {key[0]!r} is already mapped by {result[key].name}"
            )
        result[key] = mapping
    if errors:
        raise MappingFileError(root, [(None, "(files)", "\n".join(errors))])
    return result


def _pydantic_problems(
    exc: ValidationError, source: YamlSource
) -> list[tuple[int | None, str, str]]:
    problems = []
    for item in exc.errors(include_url=False):
        loc = tuple(item["loc"])
        where = ".".join(str(p) for p in loc) or "(file)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}"
        elif item["type"] == "missing":
            message = "required key is missing"
        problems.append((source.line(loc), where, message))
    return problems


def _semantic_problems(
    spec: MappingSpec, source: YamlSource, connectors: set[str] | None
) -> list[tuple[int | None, str, str]]:
    problems: list[tuple[int | None, str, str]] = []
    if spec.entity not in ENTITIES:
        problems.append(
            (
                source.line(("entity",)),
                "entity",
                f"unknown entity {spec.entity!r}; expected one of {', '.join(ENTITIES)}",
            )
        )
        return problems
    if connectors is not None and spec.connector not in connectors:
        problems.append(
            (
                source.line(("connector",)),
                "connector",
                f"no connector named {spec.connector!r} is installed",
            )
        )
    allowed = set(canonical_fields(spec.entity))
    for name, field in spec.fields.items():
        if name not in allowed:
            problems.append(
                (
                    source.line(("fields", name)),
                    f"fields.{name}",
                    f"{spec.entity} has no field {name!r}; fields: {', '.join(sorted(allowed))}",
                )
            )
        if field.ref is not None and field.ref not in ENTITIES:
            problems.append(
                (
                    source.line(("fields", name, "ref")),
                    f"fields.{name}.ref",
                    f"unknown entity {field.ref!r}",
                )
            )
    for index, key in enumerate(spec.match):
        if key not in spec.fields:
            problems.append(
                (
                    source.line(("match", index)),
                    f"match[{index}]",
                    f"match key {key!r} is not a mapped field",
                )
            )
    if spec.push_when is not None:
        try:
            make_source(spec.push_when, "record")
        except UnsafeExpression as exc:
            problems.append((source.line(("push_when",)), "push_when", str(exc)))
    return problems


def _expression_problems(
    spec: MappingSpec, source: YamlSource
) -> list[tuple[int | None, str, str]]:
    problems: list[tuple[int | None, str, str]] = []
    for section, fields in (("fields", spec.fields), ("extra", spec.extra)):
        for name, field in fields.items():
            for key, text in (
                ("path", field.path),
                ("in", field.in_),
                ("out_value", field.out_value),
            ):
                if text is None:
                    continue
                try:
                    make_source(text, "record")
                except UnsafeExpression as exc:
                    problems.append(
                        (source.line((section, name, key)), f"{section}.{name}.{key}", str(exc))
                    )
            out = field.out
            if out and (is_expression(out) or is_template(out)):
                problems.append(
                    (
                        source.line((section, name, "out")),
                        f"{section}.{name}.out",
                        "`out` is a remote path; put an expression in `out_value`",
                    )
                )
    return problems
