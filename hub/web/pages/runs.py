"""Runs: the list, and one run's page with live progress (HTMX polling while it runs)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hub.auth import User
from hub.store import Run, RunEvent
from hub.web.deps import current_user
from hub.web.services.paging import offset_param, paginate
from hub.web.state import hub_state, launcher
from hub.web.templating import render

router = APIRouter(include_in_schema=False)
RUN = Run.__table__  # type: ignore[attr-defined]
EVENT = RunEvent.__table__  # type: ignore[attr-defined]


def run_detail(engine: Engine, run_id: str) -> dict[str, Any] | None:
    """A run with its latest events (newest first, at most 50)."""
    with engine.connect() as conn:
        run = conn.execute(select(RUN).where(RUN.c.id == run_id)).mappings().first()
        if run is None:
            return None
        events = [
            dict(e)
            for e in conn.execute(
                select(EVENT).where(EVENT.c.run_id == run_id).order_by(EVENT.c.id.desc()).limit(50)
            ).mappings()
        ]
    return {"run": dict(run), "events": events}


@router.get("/runs")
async def list_page(
    request: Request,
    pipeline: str | None = None,
    limit: int = Query(25, ge=1, le=200),
    offset: int = offset_param(),
    user: User = Depends(current_user),
) -> Response:
    """Runs, newest first."""
    query = select(RUN).order_by(RUN.c.started_at.desc())
    if pipeline:
        query = query.where(RUN.c.pipeline == pipeline)
    page = await run_in_threadpool(paginate, hub_state(request).engine, query, limit, offset)
    return render(
        request, "runs/list.html", {"page": page, "runs": page.items, "pipeline": pipeline}
    )


async def _detail(request: Request, run_id: str) -> dict[str, Any]:
    state = hub_state(request)
    found = await run_in_threadpool(run_detail, state.engine, run_id)
    if found is None:
        raise HTTPException(404, f"no run {run_id}")
    found["result"] = launcher(state).result(run_id)
    return found


@router.get("/runs/{run_id}")
async def detail_page(
    request: Request, run_id: str, user: User = Depends(current_user)
) -> Response:
    """One run: status, per-stream counts, events; the progress panel polls while running."""
    return render(request, "runs/detail.html", await _detail(request, run_id))


@router.get("/runs/{run_id}/progress")
async def progress_fragment(
    request: Request, run_id: str, user: User = Depends(current_user)
) -> Response:
    """The progress panel alone (HTMX swaps it every second until the run ends)."""
    return render(request, "runs/_progress.html", await _detail(request, run_id))
