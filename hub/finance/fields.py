"""Which fields two systems' copies of a record can fairly be compared on.

Two systems disagreeing on a field is a reconciliation finding only if the hub
keeps that field in step between them. A field a system only *reads into* the
hub (mapping direction ``in``) while another system owns it is that system's own
fact with its own meaning: Kingdee's sales-order ``status`` is its approval
state, not the contract's lifecycle, and the CRM owns contracts, so "approved"
in Kingdee next to "completed" in the CRM is not a mismatch. The rule, per
connector instance and field (from the mappings the pipelines bind):

- a field both systems may be written by the hub (``out`` or ``both``) is compared;
- a field one system only reads (``in``) is compared only if that system owns it
  (the field's or the mapping's ``owner`` names the instance or its type).

Without settings (no mapping known) every field both copies hold is compared.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from connectors.sdk import ConfigError
from hub.mapping import CompiledMapping
from hub.mapping.errors import MappingError, MappingFileError
from hub.settings import Settings
from hub.sync.instances import MappingCatalogue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldRule:
    """How one instance's mapping treats one canonical field."""

    direction: str
    owned: bool


@dataclass
class FieldRules:
    """Per (connector instance, entity): the mapped fields and how they flow."""

    rules: dict[tuple[str, str], dict[str, FieldRule]] = field(default_factory=dict)
    creators: dict[tuple[str, str], list[CompiledMapping]] = field(default_factory=dict)
    """Per (instance, entity): the mappings of the bindings that push records there."""
    readers: set[tuple[str, str]] = field(default_factory=set)
    """(instance, entity) pairs some binding only reads (the hub never creates there)."""

    def partial(self, instance: str, entity: str) -> bool:
        """Whether ``instance`` holds only some of the hub's ``entity`` records by design."""
        creators = self.creators.get((instance, entity))
        if not creators:
            return (instance, entity) in self.readers
        return all(mapping.push_when is not None for mapping in creators)

    def expects(self, instance: str, entity: str, values: dict[str, Any]) -> bool:
        """Whether the hub would create this canonical record in ``instance``.

        A record missing from a system that only feeds the hub, or that no binding's
        ``push_when`` would send there (a project tool gets open work only), is not a
        finding. Without rules for the system, every record is expected.
        """
        creators = self.creators.get((instance, entity))
        if not creators:
            return (instance, entity) not in self.readers
        return any(_creates(mapping, values) for mapping in creators)

    def _usable(self, instance: str, entity: str, name: str) -> bool:
        fields = self.rules.get((instance, entity))
        if fields is None:
            return True  # no mapping known for this system: compare what it holds
        rule = fields.get(name)
        if rule is None:
            return False  # the system's mapping does not carry the field
        return rule.direction != "in" or rule.owned

    def comparable(self, entity: str, a: str, b: str, name: str) -> bool:
        """Whether ``name`` of ``entity`` is kept in step between instances ``a`` and ``b``."""
        return self._usable(a, entity, name) and self._usable(b, entity, name)


def _direction(mapped: str, bound: str) -> str | None:
    """How a field flows once the binding's own direction is applied (``None``: not at all)."""
    if bound == "both":
        return mapped
    if mapped in (bound, "both"):
        return bound
    return None


def field_rules(settings: Settings) -> FieldRules:
    """The rules of every pipeline binding in ``settings`` (bindings whose mapping fails are skipped)."""
    result = FieldRules()
    if not settings.pipelines:
        return result
    try:
        catalogue = MappingCatalogue(settings.mappings_dir)
    except (ConfigError, MappingError, MappingFileError, OSError) as exc:
        log.warning("reconciliation compares every field: mappings unreadable (%s)", exc)
        return result
    for pipeline in settings.pipelines.values():
        for binding in pipeline.streams:
            instance = settings.connectors.get(binding.connector)
            if instance is None:
                continue
            try:
                mapping = catalogue.for_binding(binding, instance.type)
            except (ConfigError, MappingError, MappingFileError) as exc:
                log.warning("no field rules for %s.%s: %s", binding.connector, binding.stream, exc)
                continue
            spec = mapping.spec
            if binding.pushes:
                result.creators.setdefault((binding.connector, spec.entity), []).append(mapping)
            else:
                result.readers.add((binding.connector, spec.entity))
            names = {binding.connector, instance.type}
            fields = result.rules.setdefault((binding.connector, spec.entity), {})
            for name, fspec in spec.fields.items():
                direction = _direction(fspec.effective_direction, binding.direction)
                if direction is not None:
                    owner = fspec.owner or spec.owner
                    fields[name] = FieldRule(direction, owner in names)
    return result


def _creates(mapping: CompiledMapping, values: dict[str, Any]) -> bool:
    try:
        return mapping.creates(values)
    except MappingError:
        return True  # a push_when that fails on this record: report it rather than hide it
