"""Pipelines: list with schedule and scheduler state, run now / dry run, pause / resume, edit."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hub.auth import Role, User
from hub.auth.roles import OPERATE
from hub.config_store import ConfigStoreError, delete_pipeline, save_pipeline
from hub.web.deps import current_user, require_role
from hub.web.services.pipelines import pipeline_views
from hub.web.services.runs import RunStartError
from hub.web.services.scheduler import scheduler_action, scheduler_available, scheduler_jobs
from hub.web.state import hub_state, launcher
from hub.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/pipelines")
async def list_page(request: Request, user: User = Depends(current_user)) -> Response:
    """Every pipeline."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    jobs = await run_in_threadpool(scheduler_jobs, state, settings)
    views = await run_in_threadpool(pipeline_views, settings, state.engine, jobs)
    return render(
        request,
        "pipelines/list.html",
        {
            "pipelines": views,
            "can_operate": user.has(*OPERATE),
            "can_edit": user.has(Role.ADMIN),
            "has_scheduler": scheduler_available(),
        },
    )


@router.post("/pipelines/{name}/run")
async def run_now(
    request: Request,
    name: str,
    dry_run: bool = Form(False),
    full: bool = Form(False),
    user: User = Depends(require_role(*OPERATE)),
) -> Response:
    """Start a run (or dry run) in the background and go to its page."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    if name not in settings.pipelines:
        raise HTTPException(404, f"no pipeline {name!r}")
    try:
        run_id = await run_in_threadpool(
            lambda: launcher(state).start(
                settings, state.engine, name, dry_run=dry_run, full=full, actor=user.name
            )
        )
    except RunStartError as exc:
        raise HTTPException(409, str(exc)) from None
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


async def _pause_resume(request: Request, name: str, action: str) -> Response:
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    if name not in settings.pipelines:
        raise HTTPException(404, f"no pipeline {name!r}")
    await run_in_threadpool(scheduler_action, state, settings, name, action)
    return RedirectResponse("/pipelines", status_code=303)


@router.post("/pipelines/{name}/pause")
async def pause(
    request: Request, name: str, user: User = Depends(require_role(*OPERATE))
) -> Response:
    """Pause the pipeline's schedule (a run in progress finishes)."""
    return await _pause_resume(request, name, "pause")


@router.post("/pipelines/{name}/resume")
async def resume(
    request: Request, name: str, user: User = Depends(require_role(*OPERATE))
) -> Response:
    """Resume the pipeline's schedule."""
    return await _pause_resume(request, name, "resume")


def _definition_text(settings: Any, name: str) -> str:
    spec = settings.pipelines.get(name)
    if spec is None:
        return yaml.safe_dump(
            {
                "description": "",
                "streams": [{"connector": "", "stream": "", "direction": "both"}],
                "schedule": {"interval_minutes": 15},
            },
            sort_keys=False,
            allow_unicode=True,
        )
    return yaml.safe_dump(
        spec.model_dump(mode="json", exclude_defaults=True), sort_keys=False, allow_unicode=True
    )


@router.get("/pipelines/new")
async def new_page(request: Request, user: User = Depends(require_role(Role.ADMIN))) -> Response:
    """An empty pipeline definition to fill in."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    return render(
        request,
        "pipelines/edit.html",
        {"name": "", "text": _definition_text(settings, ""), "error": None, "creating": True},
    )


@router.get("/pipelines/{name}/edit")
async def edit_page(
    request: Request, name: str, user: User = Depends(require_role(Role.ADMIN))
) -> Response:
    """The pipeline's definition as YAML."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    if name not in settings.pipelines:
        raise HTTPException(404, f"no pipeline {name!r}")
    return render(
        request,
        "pipelines/edit.html",
        {"name": name, "text": _definition_text(settings, name), "error": None, "creating": False},
    )


@router.post("/pipelines/save")
async def save(
    request: Request,
    name: str = Form(..., max_length=60),
    definition: str = Form(..., max_length=100_000),
    user: User = Depends(require_role(Role.ADMIN)),
) -> Response:
    """Validate and store a pipeline definition (an invalid one is never stored)."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    try:
        data = yaml.safe_load(definition)
        if not isinstance(data, dict):
            raise ConfigStoreError("the definition must be a YAML mapping")
        await run_in_threadpool(
            lambda: save_pipeline(state.engine, settings, name, data, actor=user.name)
        )
    except (yaml.YAMLError, ConfigStoreError) as exc:
        detail = str(exc)
        if isinstance(exc, ConfigStoreError) and exc.fields:
            detail += ": " + "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        return render(
            request,
            "pipelines/edit.html",
            {"name": name, "text": definition, "error": detail, "creating": False},
            status_code=422,
        )
    return RedirectResponse("/pipelines", status_code=303)


@router.post("/pipelines/{name}/delete")
async def remove(
    request: Request, name: str, user: User = Depends(require_role(Role.ADMIN))
) -> Response:
    """Delete a pipeline."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    if name not in settings.pipelines:
        raise HTTPException(404, f"no pipeline {name!r}")
    await run_in_threadpool(lambda: delete_pipeline(state.engine, settings, name, actor=user.name))
    return RedirectResponse("/pipelines", status_code=303)
