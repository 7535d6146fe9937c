"""The JSON API: same operations and the same role checks as the console.

Every route is token- or session-authenticated; lists take ``limit``/``offset``;
errors are problem details (see ``hub.web.errors``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from connectors.sdk import ConfigError, registry
from hub.auth import Role, User, create_token, list_tokens, revoke_token
from hub.auth.roles import OPERATE, READ_CONNECTORS
from hub.config_store import ConfigStoreError, delete_connector, save_connector
from hub.mapping import MappingFileError
from hub.store import Run, RunEvent
from hub.sync import conflicts as conflict_ops
from hub.sync import dlq as dlq_ops
from hub.sync.conflicts import ResolutionError
from hub.web.api.models import (
    CheckOut,
    ConnectorIn,
    Done,
    MappingText,
    Me,
    PageOut,
    ResolveIn,
    RetryOut,
    RunIn,
    RunStarted,
    TokenIn,
    TokenOut,
    Validation,
)
from hub.web.deps import current_user, require_role
from hub.web.services.connectors import check_instance, instance_view
from hub.web.services.mappings import (
    MappingPathError,
    check_text,
    list_mappings,
    read_text,
    resolve_path,
)
from hub.web.services.paging import MAX_OFFSET, Page, paginate, row_id
from hub.web.services.pipelines import pipeline_views
from hub.web.services.queues import STATUSES, conflicts_query, letters_query, resolve, retry_letter
from hub.web.services.runs import RunStartError
from hub.web.services.scheduler import scheduler_action, scheduler_jobs
from hub.web.state import hub_state, launcher

router = APIRouter(prefix="/api", tags=["api"])
RUN = Run.__table__  # type: ignore[attr-defined]
EVENT = RunEvent.__table__  # type: ignore[attr-defined]
LIMIT = Query(50, ge=1, le=200)
OFFSET = Query(0, ge=0, le=MAX_OFFSET)


def _page(items: list[dict[str, Any]], limit: int, offset: int) -> PageOut:
    return PageOut(
        items=items[offset : offset + limit], total=len(items), limit=limit, offset=offset
    )


def _stored_page(page: Page) -> PageOut:
    """A page of store rows (``paginate``'s answer) as the API returns it."""
    return PageOut(
        items=[_jsonable(r) for r in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


@router.get("/me", response_model=Me)
async def me(user: User = Depends(current_user)) -> Me:
    """Who the token or session belongs to."""
    return Me(name=user.name, role=user.role.value)


@router.get("/connectors", response_model=PageOut)
async def connectors(
    request: Request,
    limit: int = LIMIT,
    offset: int = OFFSET,
    user: User = Depends(require_role(*READ_CONNECTORS)),
) -> PageOut:
    """Connector instances (secrets only as set / not set)."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    views = [_view(state, settings, n) for n in sorted(settings.connectors)]
    return _page(views, limit, offset)


def _view(state: Any, settings: Any, name: str) -> dict[str, Any]:
    view = instance_view(state, settings, name)
    return {
        "name": view.name,
        "type": view.type,
        "enabled": view.enabled,
        "origin": view.origin,
        "config": view.config,
        "secrets": view.secrets,
    }


@router.get("/connectors/{name}")
async def connector(
    request: Request, name: str, user: User = Depends(require_role(*READ_CONNECTORS))
) -> dict[str, Any]:
    """One connector instance."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    if name not in settings.connectors:
        raise HTTPException(404, f"no connector instance {name!r}")
    return _view(state, settings, name)


@router.put("/connectors/{name}")
async def put_connector(
    request: Request, name: str, body: ConnectorIn, user: User = Depends(require_role(Role.ADMIN))
) -> dict[str, Any]:
    """Create or update an instance (validated by its config model; omitted secrets are kept)."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    try:
        await run_in_threadpool(
            lambda: save_connector(
                state.engine,
                settings,
                state.box,
                name,
                body.type,
                body.config,
                actor=user.name,
                enabled=body.enabled,
            )
        )
    except ConfigStoreError as exc:
        raise HTTPException(
            422, f"{exc}: " + "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        ) from None
    return _view(state, await run_in_threadpool(state.effective), name)


@router.delete("/connectors/{name}", response_model=Done)
async def delete_connector_route(
    request: Request, name: str, user: User = Depends(require_role(Role.ADMIN))
) -> Done:
    """Delete an instance (refused while a pipeline uses it)."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    if name not in settings.connectors:
        raise HTTPException(404, f"no connector instance {name!r}")
    try:
        await run_in_threadpool(
            lambda: delete_connector(state.engine, settings, name, actor=user.name)
        )
    except ConfigStoreError as exc:
        raise HTTPException(409, str(exc)) from None
    return Done()


@router.post("/connectors/{name}/check", response_model=CheckOut)
async def check_connector(
    request: Request, name: str, user: User = Depends(require_role(*OPERATE))
) -> CheckOut:
    """Run the instance's connection check."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    if name not in settings.connectors:
        raise HTTPException(404, f"no connector instance {name!r}")
    outcome = await check_instance(settings, name)
    return CheckOut(ok=outcome.ok, message=outcome.message)


@router.get("/connector-types")
async def connector_types(
    user: User = Depends(require_role(*READ_CONNECTORS)),
) -> list[dict[str, Any]]:
    """Installed connector types with their config JSON Schema."""
    types = []
    for name in registry.names():
        try:
            cls = registry.load(name)
        except ConfigError:
            continue
        types.append(
            {
                "type": name,
                "title": getattr(cls, "title", name),
                "schema": cls.config_model.model_json_schema(),
            }
        )
    return types


@router.get("/mappings", response_model=PageOut)
async def mappings(
    request: Request, limit: int = LIMIT, offset: int = OFFSET, user: User = Depends(current_user)
) -> PageOut:
    """Mapping files and whether each is valid."""
    infos = await run_in_threadpool(list_mappings, hub_state(request).settings)
    return _page(
        [
            {
                "path": i.path,
                "connector": i.connector,
                "stream": i.stream,
                "entity": i.entity,
                "error": i.error,
            }
            for i in infos
        ],
        limit,
        offset,
    )


@router.post("/mappings/validate", response_model=Validation)
async def validate_mapping(
    body: MappingText, user: User = Depends(require_role(*OPERATE))
) -> Validation:
    """Validate mapping YAML without saving it."""
    try:
        check_text(body.text, "<api>")
    except MappingFileError as exc:
        return Validation(valid=False, error=str(exc))
    return Validation(valid=True)


@router.get("/mappings/{path:path}")
async def mapping(
    request: Request, path: str, user: User = Depends(current_user)
) -> dict[str, Any]:
    """One mapping file's text."""
    try:
        target = resolve_path(hub_state(request).settings, path)
    except MappingPathError as exc:
        raise HTTPException(404, str(exc)) from None
    if not target.exists():
        raise HTTPException(404, f"no mapping file {path}")
    text, problem = read_text(target)
    return {"path": path, "text": text, "error": problem}


@router.get("/pipelines", response_model=PageOut)
async def pipelines(
    request: Request, limit: int = LIMIT, offset: int = OFFSET, user: User = Depends(current_user)
) -> PageOut:
    """Pipelines with schedule, last run and scheduler state."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    jobs = await run_in_threadpool(scheduler_jobs, state, settings)
    views = await run_in_threadpool(pipeline_views, settings, state.engine, jobs)
    items = [
        _jsonable(
            {
                "name": v.name,
                "description": v.spec.description,
                "enabled": v.spec.enabled,
                "schedule": v.schedule,
                "streams": [b.model_dump() for b in v.spec.streams],
                "last_run": _jsonable(v.last_run) if v.last_run else None,
                "next_run_at": v.next_run_at,
                "paused": v.paused,
                "lease_holder": v.lease_holder,
                "lease_expires_at": v.lease_expires_at,
            }
        )
        for v in views
    ]
    return _page(items, limit, offset)


@router.post("/pipelines/{name}/runs", response_model=RunStarted, status_code=202)
async def start_run(
    request: Request, name: str, body: RunIn, user: User = Depends(require_role(*OPERATE))
) -> RunStarted:
    """Start a run (or dry run); follow it at /api/runs/{run_id}."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    if name not in settings.pipelines:
        raise HTTPException(404, f"no pipeline {name!r}")
    try:
        run_id = await run_in_threadpool(
            lambda: launcher(state).start(
                settings, state.engine, name, dry_run=body.dry_run, full=body.full, actor=user.name
            )
        )
    except RunStartError as exc:
        raise HTTPException(409, str(exc)) from None
    return RunStarted(run_id=run_id)


async def _schedule_action(request: Request, name: str, action: str) -> Done:
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    if name not in settings.pipelines:
        raise HTTPException(404, f"no pipeline {name!r}")
    await run_in_threadpool(scheduler_action, state, settings, name, action)
    return Done()


@router.post("/pipelines/{name}/pause", response_model=Done)
async def pause(request: Request, name: str, user: User = Depends(require_role(*OPERATE))) -> Done:
    """Pause the pipeline's schedule."""
    return await _schedule_action(request, name, "pause")


@router.post("/pipelines/{name}/resume", response_model=Done)
async def resume(request: Request, name: str, user: User = Depends(require_role(*OPERATE))) -> Done:
    """Resume the pipeline's schedule."""
    return await _schedule_action(request, name, "resume")


@router.get("/runs", response_model=PageOut)
async def runs(
    request: Request,
    pipeline: str | None = Query(None, max_length=60),
    limit: int = LIMIT,
    offset: int = OFFSET,
    user: User = Depends(current_user),
) -> PageOut:
    """Runs, newest first."""
    query = select(RUN).order_by(RUN.c.started_at.desc())
    if pipeline:
        query = query.where(RUN.c.pipeline == pipeline)
    page = await run_in_threadpool(paginate, hub_state(request).engine, query, limit, offset)
    return _stored_page(page)


@router.get("/runs/{run_id}")
async def run(request: Request, run_id: str, user: User = Depends(current_user)) -> dict[str, Any]:
    """One run with its latest events."""
    engine = hub_state(request).engine

    def load() -> dict[str, Any] | None:
        with engine.connect() as conn:
            row = conn.execute(select(RUN).where(RUN.c.id == run_id)).mappings().first()
            if row is None:
                return None
            events = conn.execute(
                select(EVENT).where(EVENT.c.run_id == run_id).order_by(EVENT.c.id.desc()).limit(100)
            ).mappings()
            return {**_jsonable(dict(row)), "events": [_jsonable(dict(e)) for e in events]}

    found = await run_in_threadpool(load)
    if found is None:
        raise HTTPException(404, f"no run {run_id}")
    return found


def _status(value: str) -> str:
    if value not in STATUSES:
        raise HTTPException(422, f"status must be one of {', '.join(STATUSES)}")
    return value


@router.get("/dead-letters", response_model=PageOut)
async def dead_letters(
    request: Request,
    status: str = Query("open", max_length=12),
    limit: int = LIMIT,
    offset: int = OFFSET,
    user: User = Depends(current_user),
) -> PageOut:
    """Dead letters of a status, newest first."""
    page = await run_in_threadpool(
        paginate, hub_state(request).engine, letters_query(_status(status)), limit, offset
    )
    return _stored_page(page)


@router.get("/dead-letters/{letter_id}")
async def dead_letter(
    request: Request, letter_id: int = row_id(), user: User = Depends(current_user)
) -> dict[str, Any]:
    """One dead letter with its payload."""
    letter = await run_in_threadpool(dlq_ops.get_letter, hub_state(request).engine, letter_id)
    if letter is None:
        raise HTTPException(404, f"no dead letter {letter_id}")
    return _jsonable(letter)


@router.post("/dead-letters/{letter_id}/retry", response_model=RetryOut)
async def retry(
    request: Request, letter_id: int = row_id(), user: User = Depends(require_role(*OPERATE))
) -> RetryOut:
    """Retry one dead letter."""
    state = hub_state(request)
    letter = await run_in_threadpool(dlq_ops.get_letter, state.engine, letter_id)
    if letter is None or letter["status"] != "open":
        raise HTTPException(404, f"no open dead letter {letter_id}")
    settings = await run_in_threadpool(state.effective)
    ok, message = await run_in_threadpool(
        retry_letter, settings, state.engine, letter_id, user.name
    )
    return RetryOut(resolved=ok, message=message)


@router.post("/dead-letters/{letter_id}/discard", response_model=Done)
async def discard(
    request: Request, letter_id: int = row_id(), user: User = Depends(require_role(*OPERATE))
) -> Done:
    """Discard one dead letter."""
    if not await run_in_threadpool(
        lambda: dlq_ops.discard(hub_state(request).engine, letter_id, actor=user.name)
    ):
        raise HTTPException(404, f"no open dead letter {letter_id}")
    return Done()


@router.get("/conflicts", response_model=PageOut)
async def conflicts(
    request: Request,
    status: str = Query("open", max_length=12),
    limit: int = LIMIT,
    offset: int = OFFSET,
    user: User = Depends(current_user),
) -> PageOut:
    """Conflicts of a status, oldest first."""
    page = await run_in_threadpool(
        paginate, hub_state(request).engine, conflicts_query(_status(status)), limit, offset
    )
    return _stored_page(page)


@router.get("/conflicts/{conflict_id}")
async def conflict(
    request: Request, conflict_id: int = row_id(), user: User = Depends(current_user)
) -> dict[str, Any]:
    """One conflict with every side's value."""
    found = await run_in_threadpool(
        conflict_ops.get_conflict, hub_state(request).engine, conflict_id
    )
    if found is None:
        raise HTTPException(404, f"no conflict {conflict_id}")
    return _jsonable(found)


@router.post("/conflicts/{conflict_id}/resolve", response_model=Done)
async def resolve_conflict(
    request: Request,
    body: ResolveIn,
    conflict_id: int = row_id(),
    user: User = Depends(require_role(*OPERATE)),
) -> Done:
    """Settle a conflict (field: ``use`` a side or ``value``; match: ``link_to`` a hub id or ``__new__``)."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    form: dict[str, Any] = {
        "use": "__value__" if body.use is None and body.value is not None else body.use,
        "value": body.value,
        "link_to": body.link_to,
    }
    try:
        await run_in_threadpool(resolve, settings, state.engine, conflict_id, form, user.name)
    except ResolutionError as exc:
        status = 404 if str(exc).startswith("no conflict") else 409
        raise HTTPException(status, str(exc)) from None
    return Done()


@router.get("/tokens", response_model=PageOut)
async def tokens(
    request: Request, limit: int = LIMIT, offset: int = OFFSET, user: User = Depends(current_user)
) -> PageOut:
    """The caller's tokens (never the tokens themselves)."""
    found = await run_in_threadpool(list_tokens, hub_state(request).engine, user)
    return _page(
        [
            _jsonable(
                {
                    "id": t.id,
                    "name": t.name,
                    "prefix": t.prefix,
                    "created_at": t.created_at,
                    "last_used_at": t.last_used_at,
                    "revoked_at": t.revoked_at,
                }
            )
            for t in found
        ],
        limit,
        offset,
    )


@router.post("/tokens", response_model=TokenOut, status_code=201)
async def new_token(
    request: Request, body: TokenIn, user: User = Depends(current_user)
) -> TokenOut:
    """Create a token; the answer is the only place it is ever shown."""
    info, token = await run_in_threadpool(
        lambda: create_token(hub_state(request).engine, user, body.name, actor=user.name)
    )
    return TokenOut(id=info.id, name=info.name, token=token)


@router.delete("/tokens/{token_id}", response_model=Done)
async def revoke(
    request: Request, token_id: int = row_id(), user: User = Depends(current_user)
) -> Done:
    """Revoke one of the caller's tokens."""
    if not await run_in_threadpool(
        lambda: revoke_token(hub_state(request).engine, token_id, actor=user)
    ):
        raise HTTPException(404, f"no live token {token_id} of yours")
    return Done()
