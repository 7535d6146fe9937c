"""Pagination shared by pages and the API: ``limit``/``offset`` with a total."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Path, Query
from sqlalchemy import Engine, Select, func, select

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000
"""Deepest offset a list may be asked for (larger values would overflow the database's integer)."""


def offset_param() -> Any:
    """The ``offset`` query parameter of a paginated page: 0 to ``MAX_OFFSET``, else 422."""
    return Query(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")


def row_id() -> Any:
    """A path parameter of row ids: larger values than a BIGINT holds are refused with 422."""
    return Path(ge=1, le=2**63 - 1, description="A row id.")


@dataclass(frozen=True, slots=True)
class Page:
    """One page of rows and where it sits."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int

    @property
    def has_previous(self) -> bool:
        """Whether an earlier page exists."""
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        """Whether a later page exists."""
        return self.offset + self.limit < self.total


def paginate(engine: Engine, query: Select[Any], limit: int, offset: int) -> Page:
    """Run ``query`` for one page (and count all of it)."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    with engine.connect() as conn:
        total = conn.execute(
            select(func.count()).select_from(query.order_by(None).subquery())
        ).scalar_one()
        rows = [dict(r) for r in conn.execute(query.limit(limit).offset(offset)).mappings()]
    return Page(rows, int(total), limit, offset)
