"""What a deployment holds, in a form two deployments can be compared by, and the invariants.

Two deployments of one scenario never share hub ids (uuid4) or, for records
created during the run, remote ids, so neither appears in a snapshot: a
canonical row is described by its business fields, each reference replaced by
the description of the row it points at. A remote record is read back with a
fresh connector (a complete read from no cursor: exactly what the vendor holds,
which also proves no page was skipped for good) and mapped inbound, its
references resolved through the store's links to those same descriptions.

The snapshot keeps multiplicities: a record made twice shows as a count of two.
Values that only say when or in which order the test ran are masked: times a
vendor stamped during the test (a resolution date set when the hub's write
transitioned an issue), customer codes a connector derived from a hub id, and
a vendor's own key quoted in a canonical field (``jira:DLV-14``, numbered in
the order issues happened to be created).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from reliability_scenarios import cached_catalogue
from sqlalchemy import Engine, select

from connectors.sdk import Connector, Record, registry
from hub.mapping import MappingError
from hub.model import ENTITIES, canonical_fields
from hub.sync import repo
from hub.sync.values import json_values, to_json_value

Description = str
BIG_PAGES = {
    "zoho-crm": 200,
    "kingdee": 2000,
    "jira": 100,
    "zentao": 500,
    "yonyou-bip": 500,
    "yonyou-u8": 200,
}
"""Page sizes for reading everything back (the syncs under test use small pages)."""


@dataclass
class Snapshot:
    """A deployment's state without ids (see module docstring)."""

    rows: dict[str, Counter[Description]] = field(default_factory=dict)
    links: dict[str, Counter[Description]] = field(default_factory=dict)
    remote: dict[str, Counter[Description]] = field(default_factory=dict)
    letters: Counter[Description] = field(default_factory=Counter)
    held: Counter[Description] = field(default_factory=Counter)
    unaccounted: list[str] = field(default_factory=list)
    """Remote records of an inbound stream neither linked, nor dead-lettered, nor held."""
    silent_letters: list[str] = field(default_factory=list)
    """Open dead letters without a reason."""

    def differences(self, other: Snapshot) -> list[str]:
        """Human-readable differences from ``other`` (empty when equal)."""
        problems: list[str] = []
        for name in ("rows", "links", "remote"):
            mine, theirs = getattr(self, name), getattr(other, name)
            for key in sorted(set(mine) | set(theirs)):
                problems += _counter_diff(
                    f"{name}[{key}]", mine.get(key, Counter()), theirs.get(key, Counter())
                )
        problems += _counter_diff("dead letters", self.letters, other.letters)
        problems += _counter_diff("held", self.held, other.held)
        return problems


def _counter_diff(label: str, mine: Counter[str], theirs: Counter[str]) -> list[str]:
    extra = mine - theirs
    missing = theirs - mine
    lines = [f"{label}: {n}x more {item}" for item, n in extra.items()] + [
        f"{label}: {n}x fewer {item}" for item, n in missing.items()
    ]
    if extra and missing:  # most often one record that differs: say in which fields
        lines.insert(0, f"{label}: {_fields_apart(next(iter(extra)), next(iter(missing)))}")
    return lines


def _fields_apart(mine: str, theirs: str) -> str:
    """The top-level fields two descriptions disagree on, with both values."""
    try:
        a = json.loads(mine[mine.index("{") :])
        b = json.loads(theirs[theirs.index("{") :])
    except ValueError:
        return "differs"
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return "differs in " + "; ".join(
        f"{k}: {str(a.get(k))[:80]!r} here, {str(b.get(k))[:80]!r} in the reference" for k in keys
    )


def derived_number(hub_id: str) -> str:
    """The customer code a Yonyou connector makes from a hub id when the CRM has none."""
    return "SH" + hashlib.sha256(hub_id.encode()).hexdigest()[:10].upper()


REMOTE_KEY_FIELDS = ("project_item",)
"""Canonical fields that quote a vendor's own key (``jira:DLV-14``): numbered by the
vendor in the order records happened to be created."""


def mask_remote_keys(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with the vendor key in ``REMOTE_KEY_FIELDS`` replaced, its vendor kept."""
    masked = dict(values)
    for name in REMOTE_KEY_FIELDS:
        if isinstance(masked.get(name), str):
            masked[name] = masked[name].split(":", 1)[0] + ":<remote key>"
    return masked


class Describer:
    """Descriptions of canonical rows, references replaced by what they point at."""

    VOLATILE = frozenset({"id", "created_at", "updated_at", "provenance", "name_key", "deleted_at"})

    def __init__(self, engine: Engine, since: datetime) -> None:
        self.since = since - timedelta(seconds=5)
        self.rows: dict[str, tuple[str, dict[str, Any]]] = {}
        with engine.connect() as conn:
            for entity in ENTITIES:
                for row in conn.execute(select(repo.entity_table(entity))).mappings():
                    self.rows[str(row["id"])] = (entity, dict(row))
            self.link_rows = [dict(r) for r in conn.execute(select(repo.LINK)).mappings()]
            self.letter_rows = [
                dict(r)
                for r in conn.execute(
                    select(repo.DEAD).where(repo.DEAD.c.status == "open")
                ).mappings()
            ]
            self.conflict_rows = [
                dict(r)
                for r in conn.execute(
                    select(repo.CONFLICT).where(repo.CONFLICT.c.status == "open")
                ).mappings()
            ]
        self.by_remote = {
            (link["connector"], link["entity"], str(link["remote_id"])): str(link["hub_id"])
            for link in self.link_rows
        }
        self.tokens = {derived_number(h): "<number derived from the hub id>" for h in self.rows}

        self._memo: dict[str, Description] = {}

    def describe(self, hub_id: str) -> Description:
        """One row as text: entity, business fields, references described in turn."""
        if hub_id in self._memo:
            return self._memo[hub_id]
        entity, row = self.rows[hub_id]
        self._memo[hub_id] = f"<cycle {entity}>"
        values = {
            name: self._value(row.get(name))
            for name in (*canonical_fields(entity), "version", "extra")
            if name not in self.VOLATILE
        }
        values = mask_remote_keys(values)
        values["deleted"] = row.get("deleted_at") is not None
        text = f"{entity}{json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)}"
        self._memo[hub_id] = text
        return text

    def _value(self, value: Any) -> Any:
        if isinstance(value, str) and value in self.rows:
            return {"ref": self.describe(value)}
        if isinstance(value, list):
            return [self._value(v) for v in value]
        if isinstance(value, dict):
            return {k: self._value(v) for k, v in value.items()}
        return self.mask(to_json_value(value))

    def mask(self, value: Any) -> Any:
        """``value`` with what differs between two runs of one scenario replaced (see module
        docstring)."""
        if isinstance(value, str) and value in self.tokens:
            return self.tokens[value]
        if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
            try:
                stamp = datetime.fromisoformat(value)
            except ValueError:
                return value
            if stamp.tzinfo is not None and stamp >= self.since:
                return "<during the test>"
            return value
        if isinstance(value, list):
            return [self.mask(v) for v in value]
        if isinstance(value, dict):
            return {k: self.mask(v) for k, v in value.items()}
        return value

    def resolver(self, connector: str) -> Any:
        """A mapping resolver turning a remote reference into the referenced row's description."""

        def resolve(entity: str, identifier: str, key: str) -> str | None:
            hub_id = self.by_remote.get((connector, entity, str(identifier)))
            if hub_id is None:
                return f"<unlinked {entity} {key}>"
            return self.describe(hub_id)

        return resolve


def take_snapshot(deployment: Any) -> Snapshot:
    """The snapshot of a deployment (stops nothing; call when it is idle)."""
    deployment.quiesce()
    describer = Describer(deployment.engine, deployment.started)
    snap = Snapshot()
    for hub_id, (entity, _row) in describer.rows.items():
        snap.rows.setdefault(entity, Counter())[describer.describe(hub_id)] += 1
    for link in describer.link_rows:
        key = f"{link['connector']}.{link['stream']}"
        snap.links.setdefault(key, Counter())[describer.describe(str(link["hub_id"]))] += 1
    for letter in describer.letter_rows:
        snap.letters[letter_key(describer, letter)] += 1
    for conflict in describer.conflict_rows:
        subject = (
            describer.describe(str(conflict["hub_id"])) if conflict["hub_id"] else "remote record"
        )
        snap.held[f"{conflict['kind']} {conflict['connector']} {conflict['field']} {subject}"] += 1
    snap.silent_letters = [
        f"letter {letter['id']} ({letter['connector']}.{letter['stream']})"
        for letter in describer.letter_rows
        if not (letter["error"] or "").strip()
    ]
    snap.remote, snap.unaccounted = asyncio.run(_remote(deployment, describer))
    return snap


def letter_key(describer: Describer, letter: dict[str, Any]) -> Description:
    """A dead letter as text: where and at which stage it failed, and which record."""
    subject = (
        describer.describe(str(letter["hub_id"]))
        if letter["hub_id"] and str(letter["hub_id"]) in describer.rows
        else "remote record"
    )
    return (
        f"{letter['connector']}.{letter['stream']} {letter['direction']} {letter['stage']} "
        f"field={letter['field']} {subject}"
    )


async def read_everything(connector: Connector[Any], stream: str) -> list[Record]:
    """Every record the vendor holds in ``stream``: a complete read from no cursor."""
    records: list[Record] = []
    async for page in connector.read(stream, since=None):
        records.extend(page.records)
    return records


def reader(deployment: Any, instance: str) -> Connector[Any]:
    """A fresh connector for ``instance`` reading in big pages, with the real sleep."""
    spec = deployment.settings.connectors[instance]
    cls = registry.load(spec.type)
    return cls({**spec.config, "page_size": BIG_PAGES[spec.type]}, instance=instance)


async def _remote(
    deployment: Any, describer: Describer
) -> tuple[dict[str, Counter[Description]], list[str]]:
    catalogue = cached_catalogue(deployment.settings.mappings_dir)
    connectors = {name: reader(deployment, name) for name in deployment.settings.connectors}
    result: dict[str, Counter[Description]] = {}
    unaccounted: list[str] = []
    lettered = {
        (str(x["connector"]), str(x["stream"]), str(x["remote_id"]))
        for x in describer.letter_rows
        if x["direction"] == "in" and x["remote_id"] is not None
    }
    held = {
        (str(x["connector"]), str(x["remote_id"]))
        for x in describer.conflict_rows
        if x["remote_id"] is not None
    }
    for spec in deployment.settings.pipelines["reliability"].streams:
        connector_type = deployment.settings.connectors[spec.connector].type
        mapping = catalogue.for_binding(spec, connector_type)
        counter: Counter[Description] = Counter()
        connector = connectors[spec.connector]
        declared = connector.stream(spec.stream)
        pk, entity = declared.primary_key, declared.entity
        records = await read_everything(connector, spec.stream)
        for record in records:
            rid = str(record.get(pk))
            if spec.pulls and not (
                (spec.connector, entity, rid) in describer.by_remote
                or (spec.connector, spec.stream, rid) in lettered
                or (spec.connector, rid) in held
            ):
                unaccounted.append(f"{spec.connector}.{spec.stream} {pk}={rid}")
            try:
                mapped = mapping.apply_in(record, resolve=describer.resolver(spec.connector))
                text = json.dumps(
                    describer.mask(
                        mask_remote_keys(json_values({**mapped.values, "extra": mapped.extra}))
                    ),
                    sort_keys=True,
                    ensure_ascii=False,
                    default=str,
                )
            except MappingError as exc:
                text = f"<unmappable: {exc}>"
            counter[text] += 1
        result[f"{spec.connector}.{spec.stream}"] = counter
    for connector in connectors.values():
        await connector.aclose()
    return result, unaccounted
