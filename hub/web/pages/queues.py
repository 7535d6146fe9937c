"""Dead letters (payload, error, retry, discard) and conflicts (both sides, resolve)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hub.auth import User
from hub.auth.roles import OPERATE
from hub.sync import conflicts as conflict_ops
from hub.sync import dlq as dlq_ops
from hub.sync.conflicts import ResolutionError
from hub.web.deps import current_user, require_role
from hub.web.services.paging import offset_param, paginate, row_id
from hub.web.services.queues import STATUSES, conflicts_query, letters_query, resolve, retry_letter
from hub.web.state import hub_state
from hub.web.templating import render

router = APIRouter(include_in_schema=False)


def _status(value: str) -> str:
    if value not in STATUSES:
        raise HTTPException(404, f"unknown status {value!r}")
    return value


@router.get("/dlq")
async def dlq_list(
    request: Request,
    status: str = "open",
    limit: int = Query(25, ge=1, le=200),
    offset: int = offset_param(),
    user: User = Depends(current_user),
) -> Response:
    """Dead letters of a status."""
    page = await run_in_threadpool(
        paginate, hub_state(request).engine, letters_query(_status(status)), limit, offset
    )
    return render(
        request, "queues/dlq_list.html", {"page": page, "letters": page.items, "status": status}
    )


@router.get("/dlq/{letter_id}")
async def dlq_detail(
    request: Request, letter_id: int = row_id(), user: User = Depends(current_user)
) -> Response:
    """One letter: payload and error."""
    letter = await run_in_threadpool(dlq_ops.get_letter, hub_state(request).engine, letter_id)
    if letter is None:
        raise HTTPException(404, f"no dead letter {letter_id}")
    payload = json.dumps(letter["payload"], ensure_ascii=False, indent=2, default=str)
    return render(
        request,
        "queues/dlq_detail.html",
        {"letter": letter, "payload": payload, "can_operate": user.has(*OPERATE)},
    )


@router.post("/dlq/{letter_id}/retry")
async def dlq_retry(
    request: Request, letter_id: int = row_id(), user: User = Depends(require_role(*OPERATE))
) -> Response:
    """Retry a letter through the current mappings; back to the list, or the letter if it still fails."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    if await run_in_threadpool(dlq_ops.get_letter, state.engine, letter_id) is None:
        raise HTTPException(404, f"no dead letter {letter_id}")
    ok, message = await run_in_threadpool(
        retry_letter, settings, state.engine, letter_id, user.name
    )
    if ok:
        return RedirectResponse(f"/dlq?retried={letter_id}", status_code=303)
    letter = await run_in_threadpool(dlq_ops.get_letter, state.engine, letter_id)
    payload = json.dumps(
        letter["payload"] if letter else None, ensure_ascii=False, indent=2, default=str
    )
    return render(
        request,
        "queues/dlq_detail.html",
        {
            "letter": letter,
            "payload": payload,
            "can_operate": True,
            "flashes": [("error", message)],
        },
        status_code=409,
    )


@router.post("/dlq/{letter_id}/discard")
async def dlq_discard(
    request: Request, letter_id: int = row_id(), user: User = Depends(require_role(*OPERATE))
) -> Response:
    """Give up on a letter on purpose (kept, marked discarded, audited)."""
    done = await run_in_threadpool(
        lambda: dlq_ops.discard(hub_state(request).engine, letter_id, actor=user.name)
    )
    if not done:
        raise HTTPException(404, f"no open dead letter {letter_id}")
    return RedirectResponse("/dlq", status_code=303)


@router.get("/conflicts")
async def conflict_list(
    request: Request,
    status: str = "open",
    limit: int = Query(25, ge=1, le=200),
    offset: int = offset_param(),
    user: User = Depends(current_user),
) -> Response:
    """Conflicts of a status, oldest first."""
    page = await run_in_threadpool(
        paginate, hub_state(request).engine, conflicts_query(_status(status)), limit, offset
    )
    return render(
        request,
        "queues/conflict_list.html",
        {"page": page, "conflicts": page.items, "status": status},
    )


def _sides(conflict: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        (k, v)
        for k, v in (conflict["values"] or {}).items()
        if k not in ("base", "record", "raw", "stream", "candidates")
    ]


@router.get("/conflicts/{conflict_id}")
async def conflict_detail(
    request: Request, conflict_id: int = row_id(), user: User = Depends(current_user)
) -> Response:
    """Both (or all) values side by side, with the resolve form for operators."""
    conflict = await run_in_threadpool(
        conflict_ops.get_conflict, hub_state(request).engine, conflict_id
    )
    if conflict is None:
        raise HTTPException(404, f"no conflict {conflict_id}")
    return render(request, "queues/conflict_detail.html", _conflict_context(conflict, user))


def _conflict_context(conflict: dict[str, Any], user: User, **extra: Any) -> dict[str, Any]:
    values = conflict["values"] or {}
    return {
        "conflict": conflict,
        "sides": _sides(conflict),
        "base": values.get("base"),
        "record": json.dumps(values.get("record"), ensure_ascii=False, indent=2, default=str),
        "candidates": values.get("candidates") or [],
        "can_operate": user.has(*OPERATE),
        **extra,
    }


@router.post("/conflicts/{conflict_id}/resolve")
async def conflict_resolve(
    request: Request, conflict_id: int = row_id(), user: User = Depends(require_role(*OPERATE))
) -> Response:
    """Settle a conflict with the chosen side, a typed value, or the chosen twin."""
    state = hub_state(request)
    form = dict(await request.form())
    settings = await run_in_threadpool(state.effective)
    try:
        await run_in_threadpool(resolve, settings, state.engine, conflict_id, form, user.name)
    except ResolutionError as exc:
        conflict = await run_in_threadpool(conflict_ops.get_conflict, state.engine, conflict_id)
        if conflict is None:
            raise HTTPException(404, f"no conflict {conflict_id}") from None
        return render(
            request,
            "queues/conflict_detail.html",
            _conflict_context(conflict, user, flashes=[("error", str(exc))]),
            status_code=409,
        )
    return RedirectResponse(f"/conflicts?resolved={conflict_id}", status_code=303)
