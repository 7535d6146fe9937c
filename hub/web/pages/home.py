"""The overview: what needs a person now (dead letters, conflicts) and the latest runs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import Engine, func, select
from starlette.responses import Response

from hub.auth import User
from hub.store import Conflict, DeadLetter, Run
from hub.web.deps import current_user
from hub.web.state import hub_state
from hub.web.templating import render

router = APIRouter(include_in_schema=False)
RUN = Run.__table__  # type: ignore[attr-defined]
DEAD = DeadLetter.__table__  # type: ignore[attr-defined]
CONFLICT = Conflict.__table__  # type: ignore[attr-defined]


def overview(engine: Engine) -> dict[str, Any]:
    """Counts for the overview tiles and the ten latest runs."""
    with engine.connect() as conn:
        return {
            "dead_letters": conn.execute(
                select(func.count()).select_from(DEAD).where(DEAD.c.status == "open")
            ).scalar_one(),
            "conflicts": conn.execute(
                select(func.count()).select_from(CONFLICT).where(CONFLICT.c.status == "open")
            ).scalar_one(),
            "running": conn.execute(
                select(func.count()).select_from(RUN).where(RUN.c.status == "running")
            ).scalar_one(),
            "runs": [
                dict(r)
                for r in conn.execute(
                    select(RUN).order_by(RUN.c.started_at.desc()).limit(10)
                ).mappings()
            ],
        }


@router.get("/")
def home(request: Request, user: User = Depends(current_user)) -> Response:
    """The overview page."""
    return render(request, "home.html", overview(hub_state(request).engine))
