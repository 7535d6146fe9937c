"""Everything one run carries: its pipeline, connectors, mappings, transactions and counters."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Protocol

from connectors.sdk import Connector, Stream
from hub.mapping import CompiledMapping
from hub.settings import PipelineSettings, Settings, StreamBinding
from hub.sync.tx import Transactions


@dataclass(slots=True)
class StreamCounts:
    """What happened to one binding's records in one run."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0
    held: int = 0
    dead_lettered: int = 0
    deleted: int = 0
    pushed_created: int = 0
    pushed_updated: int = 0
    push_failed: int = 0
    push_skipped: int = 0
    push_deferred: int = 0
    """Creates held back because the remote's own copy waits in the dead-letter queue."""

    def as_dict(self) -> dict[str, int]:
        """Non-zero counters, JSON-ready."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def add(self, other: StreamCounts) -> None:
        """Accumulate ``other`` into this one."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


class RunObserver(Protocol):
    """Receives progress as a run goes (the CLI draws bars, the web app stores events)."""

    def phase_started(self, key: str, phase: str) -> None:
        """A binding's pull or push began."""

    def progress(self, key: str, phase: str, counts: StreamCounts) -> None:
        """A page or batch was stored; ``counts`` are the totals so far."""

    def phase_finished(self, key: str, phase: str, counts: StreamCounts) -> None:
        """A binding's pull or push ended."""


class SilentObserver:
    """An observer that ignores everything (scheduled runs, tests)."""

    def phase_started(self, key: str, phase: str) -> None:
        """Ignore."""

    def progress(self, key: str, phase: str, counts: StreamCounts) -> None:
        """Ignore."""

    def phase_finished(self, key: str, phase: str, counts: StreamCounts) -> None:
        """Ignore."""


@dataclass
class Binding:
    """A pipeline stream binding with its connector, declared stream and compiled mapping."""

    spec: StreamBinding
    connector: Connector[Any]
    connector_type: str
    stream: Stream
    mapping: CompiledMapping

    @property
    def key(self) -> str:
        """``instance.stream``, how runs and progress name a binding."""
        return f"{self.spec.connector}.{self.spec.stream}"

    @property
    def instance(self) -> str:
        """The connector instance name."""
        return self.spec.connector

    @property
    def entity(self) -> str:
        """The canonical entity of the binding."""
        return self.mapping.spec.entity

    def owns(self, owner: str | None) -> bool:
        """Whether ``owner`` (a mapping owner) designates this binding's system."""
        return owner is not None and owner in (self.spec.connector, self.connector_type)


@dataclass
class RunContext:
    """State of one run; built by the runner, passed to pull and push."""

    run_id: str
    pipeline_name: str
    pipeline: PipelineSettings
    settings: Settings
    tx: Transactions
    bindings: list[Binding]
    full: bool = False
    dry_run: bool = False
    observer: RunObserver = field(default_factory=SilentObserver)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    counts: dict[str, StreamCounts] = field(default_factory=dict)
    would: list[dict[str, Any]] = field(default_factory=list)
    """In a dry run: the remote writes the run would have made."""

    def now(self) -> datetime:
        """Current time, aware UTC."""
        return datetime.now(UTC)

    def counts_for(self, binding: Binding) -> StreamCounts:
        """The counters of one binding (created on first use)."""
        return self.counts.setdefault(binding.key, StreamCounts())
