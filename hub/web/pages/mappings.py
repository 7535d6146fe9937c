"""Mappings: list, view, validate, edit (admins; validation gate and audit), live preview."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hub.auth import Role, User
from hub.auth.roles import OPERATE
from hub.mapping import MappingFileError
from hub.web.deps import current_user, require_role
from hub.web.services.mappings import (
    MappingPathError,
    check_text,
    instances_for,
    list_mappings,
    preview,
    read_text,
    resolve_path,
    save_mapping,
)
from hub.web.state import hub_state
from hub.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/mappings")
async def list_page(request: Request, user: User = Depends(current_user)) -> Response:
    """Every mapping file and whether it is valid."""
    state = hub_state(request)
    infos = await run_in_threadpool(list_mappings, state.settings)
    return render(request, "mappings/list.html", {"mappings": infos})


def _read(request: Request, path: str) -> tuple[str, str | None]:
    try:
        target = resolve_path(hub_state(request).settings, path)
    except MappingPathError as exc:
        raise HTTPException(404, str(exc)) from None
    if not target.exists():
        raise HTTPException(404, f"no mapping file {path}")
    return read_text(target)


@router.get("/mappings/{path:path}")
async def view_page(
    request: Request, path: str, saved: bool = False, user: User = Depends(current_user)
) -> Response:
    """One mapping: its text, its validity, the editor (admins) and the preview (operators)."""
    text, error = _read(request, path)
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    instances: list[str] = []
    try:
        if error is None:
            compiled = check_text(text, path)
            instances = instances_for(settings, compiled.spec.connector)
    except MappingFileError as exc:
        error = str(exc)
    return render(
        request,
        "mappings/view.html",
        {
            "path": path,
            "text": text,
            "error": error,
            "instances": instances,
            "can_edit": user.has(Role.ADMIN),
            "can_preview": user.has(*OPERATE),
            "flashes": [("ok", "common.saved")] if saved else [],
        },
    )


@router.post("/mappings/validate/{path:path}")
async def validate_fragment(
    request: Request,
    path: str,
    text: str = Form(..., max_length=200_000),
    user: User = Depends(require_role(*OPERATE)),
) -> Response:
    """Validate edited text without saving (HTMX fragment)."""
    try:
        check_text(text, path)
        error = None
    except MappingFileError as exc:
        error = str(exc)
    return render(request, "mappings/_validation.html", {"error": error})


@router.post("/mappings/save/{path:path}")
async def save(
    request: Request,
    path: str,
    text: str = Form(..., max_length=200_000),
    user: User = Depends(require_role(Role.ADMIN)),
) -> Response:
    """Save edited text if (and only if) it is valid; audited."""
    state = hub_state(request)
    try:
        await run_in_threadpool(
            lambda: save_mapping(state.engine, state.settings, path, text, actor=user.name)
        )
    except MappingPathError as exc:
        raise HTTPException(404, str(exc)) from None
    except MappingFileError as exc:
        return render(
            request,
            "mappings/view.html",
            {
                "path": path,
                "text": text,
                "error": str(exc),
                "instances": [],
                "can_edit": True,
                "can_preview": True,
                "flashes": [("error", "mappings.not_saved")],
            },
            status_code=422,
        )
    return RedirectResponse(f"/mappings/{path}?saved=1", status_code=303)


@router.post("/mappings/preview/{path:path}")
async def preview_fragment(
    request: Request,
    path: str,
    instance: str = Form(..., max_length=60),
    user: User = Depends(require_role(*OPERATE)),
) -> Response:
    """Read a live sample from ``instance`` and show it before and after mapping, both ways."""
    text, problem = _read(request, path)
    if problem is not None:
        return render(request, "mappings/_validation.html", {"error": problem})
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    try:
        compiled = check_text(text, path)
    except MappingFileError as exc:
        return render(request, "mappings/_validation.html", {"error": str(exc)})
    if instance not in instances_for(settings, compiled.spec.connector):
        raise HTTPException(404, f"no enabled {compiled.spec.connector} instance {instance!r}")
    result = await preview(settings, compiled, instance)
    shown = {
        key: json.dumps(value, ensure_ascii=False, indent=2, default=str)
        if value is not None
        else None
        for key, value in (
            ("remote", result.remote),
            ("canonical", result.canonical),
            ("outbound", result.outbound),
        )
    }
    return render(request, "mappings/_preview.html", {"result": result, "shown": shown})
