"""A mapping compiled for speed: getters, setters and expressions built once per file.

Per-record cost decides throughput (ARCHITECTURE section 5): a plain path is a
dict lookup, an expression is a compiled Jinja2 callable, and nothing is parsed
per record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Undefined

from hub.mapping.errors import MappingError
from hub.mapping.expressions import compile_expression, compile_template
from hub.mapping.spec import FieldSpec, MappingSpec

Getter = Callable[[dict[str, Any]], Any]
Resolver = Callable[[str, str, str], str | None]
"""(entity, identifier, ref_key) -> the other side's identifier, or None if not linked."""

_MISSING = object()


def is_expression(source: str) -> bool:
    """Whether ``source`` is a single ``{{ ... }}`` expression (native result)."""
    s = source.strip()
    return s.startswith("{{") and s.endswith("}}") and s.count("{{") == 1 and "{%" not in s


def is_template(source: str) -> bool:
    """Whether ``source`` builds text from ``{{ }}`` / ``{% %}`` pieces."""
    return ("{{" in source or "{%" in source) and not is_expression(source)


def make_getter(path: str) -> Getter:
    """A getter for a dotted path; at every level a key that itself contains dots wins.

    Vendors name fields with dots (Kingdee's ``FCustId.FNumber``), so
    ``FSaleOrderEntry.0.FMaterialId.FNumber`` finds the literal key
    ``FMaterialId.FNumber`` inside the first entry row.
    """
    if "." not in path:
        return lambda record: record.get(path)
    parts = path.split(".")

    def walk(current: Any, start: int) -> Any:
        for index in range(start, len(parts)):
            if isinstance(current, dict):
                rest = ".".join(parts[index:])
                if index < len(parts) - 1 and rest in current:
                    return current[rest]
                current = current.get(parts[index])
            elif (
                isinstance(current, list)
                and parts[index].isdigit()
                and int(parts[index]) < len(current)
            ):
                current = current[int(parts[index])]
            else:
                return None
            if current is None:
                return None
        return current

    return lambda record: walk(record, 0)


def set_path(target: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path, creating nested objects as needed."""
    *parents, last = path.split(".")
    for part in parents:
        child = target.get(part)
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    target[last] = value


def make_source(source: str, variable: str) -> Getter:
    """A getter from a path, an expression or a template; ``variable`` names the record."""
    if is_expression(source):
        expr = compile_expression(source.strip()[2:-2].strip())

        def evaluate(record: dict[str, Any]) -> Any:
            result = expr(**{variable: record})
            if isinstance(result, Undefined):  # missing key, or the sandbox refused an access
                result._fail_with_undefined_error()
            return result

        return evaluate
    if is_template(source):
        render = compile_template(source)
        return lambda record: render(**{variable: record})
    return make_getter(source)


def _key(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(slots=True)
class CompiledField:
    """One field, ready to run."""

    name: str
    spec: FieldSpec
    get_in: Getter | None
    out_path: str | None
    get_out: Getter | None
    values_in: dict[str, Any] | None
    values_out: dict[str, Any] | None

    @property
    def owner(self) -> str | None:
        """Who wins a conflict on this field."""
        return self.spec.owner

    def read(self, record: dict[str, Any], mapping: str) -> Any:
        """The canonical value of this field in a remote record."""
        assert self.get_in is not None
        try:
            value = self.get_in(record)
        except Exception as exc:
            raise MappingError(mapping, self.name, None, f"expression failed: {exc}") from exc
        if value is None or value == "":
            return self.spec.default
        if self.values_in is not None:
            mapped = self.values_in.get(_key(value), _MISSING)
            if mapped is _MISSING:
                known = ", ".join(sorted(self.values_in))
                raise MappingError(
                    mapping, self.name, value, f"not in the value map (known: {known})"
                )
            return mapped
        return value

    def write(self, values: dict[str, Any], mapping: str) -> Any:
        """The remote value of this field for a canonical record."""
        if self.get_out is not None:
            try:
                value = self.get_out({**values, "value": values.get(self.name)})
            except Exception as exc:
                raise MappingError(
                    mapping, self.name, values.get(self.name), f"expression failed: {exc}"
                ) from exc
        else:
            value = values.get(self.name)
        if value is not None and self.values_out is not None:
            mapped = self.values_out.get(_key(value), _MISSING)
            if mapped is _MISSING:
                raise MappingError(
                    mapping, self.name, value, "has no remote value in the value map"
                )
            return mapped
        return value


@dataclass(slots=True)
class MappedIn:
    """A remote record mapped inbound: canonical values, custom fields, unresolved references."""

    values: dict[str, Any]
    extra: dict[str, Any]
    unresolved: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class CompiledMapping:
    """A validated mapping file, compiled; ``apply_in`` and ``apply_out`` run it."""

    spec: MappingSpec
    name: str
    fields: list[CompiledField]
    extra: list[CompiledField]
    push_when: Getter | None = None

    @classmethod
    def compile(cls, spec: MappingSpec, name: str) -> CompiledMapping:
        """Compile every field of ``spec`` (expressions raise on unsafe or bad syntax)."""
        return cls(
            spec,
            name,
            [_compile_field(n, f, spec) for n, f in spec.fields.items()],
            [_compile_field(n, f, spec) for n, f in spec.extra.items()],
            make_source(spec.push_when, "record") if spec.push_when else None,
        )

    def creates(self, values: dict[str, Any]) -> bool:
        """Whether this mapping's stream should create a remote twin of ``values``."""
        if self.push_when is None:
            return True
        try:
            return bool(self.push_when(values))
        except Exception as exc:
            raise MappingError(self.name, "push_when", None, f"expression failed: {exc}") from exc

    @property
    def inbound_fields(self) -> list[CompiledField]:
        """Fields mapped remote -> canonical."""
        return [f for f in self.fields if f.get_in is not None]

    @property
    def outbound_fields(self) -> list[CompiledField]:
        """Fields mapped canonical -> remote."""
        return [f for f in self.fields if f.out_path is not None]

    def owner_of(self, field_name: str) -> str | None:
        """Owner of a canonical field in this mapping."""
        for compiled in self.fields:
            if compiled.name == field_name:
                return compiled.owner
        return self.spec.owner

    def apply_in(self, record: dict[str, Any], resolve: Resolver | None = None) -> MappedIn:
        """Map a remote record to canonical values (references resolved through ``resolve``)."""
        values: dict[str, Any] = {}
        unresolved: dict[str, str] = {}
        for compiled in self.fields:
            if compiled.get_in is None:
                continue
            value = compiled.read(record, self.name)
            ref = compiled.spec.ref
            if ref is not None and value is not None:
                remote = str(value)
                value = resolve(ref, remote, compiled.spec.ref_key) if resolve else None
                if value is None:
                    unresolved[compiled.name] = remote
            values[compiled.name] = value
        extra = {c.name: c.read(record, self.name) for c in self.extra if c.get_in is not None}
        return MappedIn(values, extra, unresolved)

    def apply_out(
        self,
        values: dict[str, Any],
        extra: dict[str, Any] | None = None,
        resolve: Resolver | None = None,
        *,
        only: set[str] | None = None,
    ) -> dict[str, Any]:
        """Map canonical values to a remote record (``only``: just these canonical fields)."""
        remote: dict[str, Any] = {}
        for path, constant in self.spec.constants.items():
            set_path(remote, path, constant)
        context = {**values, "extra": extra or {}}
        for compiled in self.fields:
            if compiled.out_path is None or (only is not None and compiled.name not in only):
                continue
            value = compiled.write(context, self.name)
            ref = compiled.spec.ref
            if ref is not None and value is not None:
                target = resolve(ref, str(value), compiled.spec.ref_key) if resolve else None
                if target is None:
                    raise MappingError(
                        self.name,
                        compiled.name,
                        value,
                        f"references {ref} {value}, which is not linked to a record of this system yet",
                    )
                value = target
            set_path(remote, compiled.out_path, value)
        for compiled in self.extra:
            if compiled.out_path is not None and (extra or {}).get(compiled.name) is not None:
                set_path(remote, compiled.out_path, compiled.write({**(extra or {})}, self.name))
        return remote


def _compile_field(name: str, spec: FieldSpec, mapping: MappingSpec) -> CompiledField:
    owner = spec.owner or mapping.owner
    if owner != spec.owner:
        spec = spec.model_copy(update={"owner": owner})
    inbound = spec.inbound
    values_in = {_key(k): v for k, v in spec.values.items()} if spec.values is not None else None
    values_out: dict[str, Any] | None = None
    if spec.values_out is not None:
        values_out = {_key(k): v for k, v in spec.values_out.items()}
    elif spec.values is not None:
        values_out = {}
        for remote, canonical in spec.values.items():
            values_out.setdefault(_key(canonical), remote)  # first remote value wins the inverse
    return CompiledField(
        name=name,
        spec=spec,
        get_in=make_source(inbound, "record") if inbound else None,
        out_path=spec.outbound,
        get_out=make_source(spec.out_value, "record") if spec.out_value else None,
        values_in=values_in,
        values_out=values_out,
    )
