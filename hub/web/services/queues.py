"""Dead-letter and conflict operations for pages and API: async engine calls in their own loop."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Engine, select

from hub.settings import Settings
from hub.store import Conflict, DeadLetter
from hub.sync import conflicts as conflict_ops
from hub.sync import dlq as dlq_ops
from hub.sync.conflicts import ResolutionError
from hub.sync.runner import PipelineError

DEAD = DeadLetter.__table__  # type: ignore[attr-defined]
CONFLICT = Conflict.__table__  # type: ignore[attr-defined]
STATUSES = ("open", "resolved", "discarded")


def letters_query(status: str) -> Any:
    """Dead letters of a status, newest first."""
    return (
        select(DEAD)
        .where(DEAD.c.status == status)
        .order_by(DEAD.c.last_attempt.desc(), DEAD.c.id.desc())
    )


def conflicts_query(status: str) -> Any:
    """Conflicts of a status, oldest first."""
    return select(CONFLICT).where(CONFLICT.c.status == status).order_by(CONFLICT.c.id)


def retry_letter(
    settings: Settings, engine: Engine, letter_id: int, actor: str
) -> tuple[bool, str]:
    """Retry one letter (blocking: call from a worker thread); (went through, message)."""
    try:
        report = asyncio.run(dlq_ops.retry(settings, engine, [letter_id], actor=actor))
    except PipelineError as exc:
        return False, str(exc)
    if letter_id in report.resolved:
        return True, "resolved"
    return False, report.failing.get(letter_id, "still failing")


def resolve(
    settings: Settings, engine: Engine, conflict_id: int, form: dict[str, Any], actor: str
) -> str:
    """Settle a conflict from the form's choice (blocking); ``ResolutionError`` if refused."""
    conflict = conflict_ops.get_conflict(engine, conflict_id)
    if conflict is None:
        raise ResolutionError(f"no conflict with id {conflict_id}")
    if conflict["kind"] == "field":
        use = form.get("use") or None
        if use == "__value__":
            value = form.get("value")
            conflict_ops.resolve_field(engine, conflict_id, value=value, actor=actor)
        elif use:
            conflict_ops.resolve_field(engine, conflict_id, use=str(use), actor=actor)
        else:
            raise ResolutionError("choose a side or type a value")
        return "resolved"
    link_to = form.get("link_to") or None
    new = form.get("link_to") == "__new__"
    try:
        return asyncio.run(
            conflict_ops.resolve_match(
                settings,
                engine,
                conflict_id,
                link_to=None if new else link_to,
                new=new,
                actor=actor,
            )
        )
    except PipelineError as exc:
        raise ResolutionError(str(exc)) from None
