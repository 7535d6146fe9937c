"""Incremental reading of U8 documents, whose lists filter by document date only.

A voucher list cannot say "modified since"; re-reading a trailing window of
document dates and dropping rows whose content is unchanged (a fingerprint per
document) passes on every new or edited document inside the window and repeats
nothing. An edit to a document older than the window is not seen until a full
read -- the documented limit, made configurable (``voucher_window_days``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from connectors.yonyou_u8.wire import dumps


def fingerprint(record: Mapping[str, Any]) -> str:
    """A short digest of a record's whole content."""
    return hashlib.sha256(dumps(dict(record))).hexdigest()[:20]


@dataclass(slots=True)
class DateWindow:
    """Cursor state: the newest document date read and the fingerprints inside the window."""

    newest: date | None = None
    window: timedelta = timedelta(days=31)
    seen: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_state(cls, state: Any, *, window: timedelta) -> DateWindow:
        """Rebuild from ``to_state`` output (``None``: first read)."""
        if not state:
            return cls(window=window)
        if not isinstance(state, Mapping) or "newest" not in state:
            raise ValueError(f"not a U8 document cursor: {state!r}")
        newest = date.fromisoformat(state["newest"]) if state["newest"] else None
        return cls(newest=newest, window=window, seen=dict(state.get("seen") or {}))

    @property
    def since(self) -> date | None:
        """First document date to ask for."""
        return None if self.newest is None else self.newest - self.window

    def is_new(self, key: str, record: Mapping[str, Any]) -> bool:
        """False for a document read before with exactly this content."""
        return self.seen.get(key, "").partition("|")[2] != fingerprint(record)

    def observe(self, key: str, day: date, record: Mapping[str, Any]) -> None:
        """Note a document (its date and content) as read."""
        if self.newest is None or day > self.newest:
            self.newest = day
        self.seen[key] = f"{day.isoformat()}|{fingerprint(record)}"

    def checkpoint(self, today: date) -> dict[str, Any]:
        """Cap at ``today``, forget documents dated before the window, return the state."""
        if self.newest is not None and self.newest > today:
            self.newest = today
        horizon = self.since
        if horizon is not None:
            cut = horizon.isoformat()
            self.seen = {k: v for k, v in self.seen.items() if v.partition("|")[0] >= cut}
        return self.to_state()

    def to_state(self) -> dict[str, Any]:
        """JSON-ready state."""
        return {"newest": self.newest.isoformat() if self.newest else None, "seen": dict(self.seen)}
