"""Match keys in comparable form, shared by pull (finding twins) and push (not duplicating them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from hub.sync import repo
from hub.sync.context import Binding
from hub.sync.names import normalise_name


def key_value(entity: str, key: str, value: Any) -> Any:
    """A match key's comparable form (normalised company name, upper-case tax id).

    A value holding a NUL character is no key at all: the record fails validation
    anyway, and PostgreSQL refuses NUL in a query, which would fail the whole page.
    """
    if value in (None, "") or (isinstance(value, str) and "\x00" in value):
        return None
    if key == "name" and entity == "customer":
        return normalise_name(str(value))
    if key == "tax_id":
        return str(value).upper().replace(" ", "")
    return value


def waiting_twins(conn: Connection, binding: Binding) -> set[tuple[str, Any]]:
    """Match-key values of this binding's records stuck in the dead-letter queue.

    A record the remote has but the hub could not take in (a mistyped tax id, a
    reference not synced yet) is still that remote's record: pushing its twin from
    another system as a new record would make a duplicate there. Push defers such
    creates until the letter is delivered and the twins are linked.
    """
    fields = {
        f.name: f for f in binding.mapping.inbound_fields if f.name in binding.mapping.spec.match
    }
    if not fields:
        return set()
    letters = conn.execute(
        select(repo.DEAD.c.payload).where(
            repo.DEAD.c.connector == binding.instance,
            repo.DEAD.c.stream == binding.spec.stream,
            repo.DEAD.c.direction == "in",
            repo.DEAD.c.status == "open",
        )
    )
    waiting: set[tuple[str, Any]] = set()
    for (payload,) in letters:
        if not isinstance(payload, dict):
            continue
        for key, compiled in fields.items():
            try:
                raw = compiled.get_in(payload) if compiled.get_in else None
            except Exception:  # noqa: S112 - a payload failing one key's mapping still has the others
                continue
            value = key_value(binding.entity, key, raw)
            if value is not None:
                waiting.add((key, value))
    return waiting
