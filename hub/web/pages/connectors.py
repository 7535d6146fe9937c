"""Connector instances: list, add, edit, delete, test the connection.

Forms come from each connector's config model; secrets are write-only (inputs
render empty, an empty input keeps the held value). Finance users never reach
these pages.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from connectors.sdk import ConfigError, mask_text, registry
from hub.auth import Role, User
from hub.auth.roles import OPERATE, READ_CONNECTORS
from hub.config_store import ConfigStoreError, delete_connector, save_connector
from hub.web.deps import require_role
from hub.web.services.connectors import check_instance, instance_view, instance_views
from hub.web.services.forms import form_fields, parse_form
from hub.web.state import hub_state
from hub.web.templating import render

router = APIRouter(include_in_schema=False)
ADMIN = require_role(Role.ADMIN)


def connector_types() -> list[tuple[str, str]]:
    """Installed connector types with their titles."""
    types = []
    for name in registry.names():
        try:
            types.append((name, getattr(registry.load(name), "title", name)))
        except ConfigError:
            continue
    return types


@router.get("/connectors")
async def list_page(
    request: Request, user: User = Depends(require_role(*READ_CONNECTORS))
) -> Response:
    """Every connector instance."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    views = await run_in_threadpool(instance_views, state, settings)
    return render(request, "connectors/list.html", {"instances": views, "types": connector_types()})


def _form_page(
    request: Request,
    *,
    connector_type: str,
    name: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    secrets: dict[str, bool] | None = None,
    enabled: bool = True,
    creating: bool = True,
    status: int = 200,
) -> Response:
    try:
        cls = registry.load(connector_type)
    except ConfigError as exc:
        raise HTTPException(404, str(exc)) from None
    return render(
        request,
        "connectors/form.html",
        {
            "connector_type": connector_type,
            "title": getattr(cls, "title", connector_type),
            "fields": form_fields(cls.config_model),
            "name": name,
            "values": values or {},
            "errors": errors or {},
            "secrets": secrets or {},
            "enabled": enabled,
            "creating": creating,
            "types": connector_types(),
        },
        status_code=status,
    )


@router.get("/connectors/new")
async def new_page(
    request: Request, type: str | None = None, user: User = Depends(ADMIN)
) -> Response:
    """The form for a new instance of ``type``."""
    chosen = type or (connector_types()[0][0] if connector_types() else "")
    return _form_page(request, connector_type=chosen)


async def _save(request: Request, user: User, name: str, creating: bool) -> Response:
    state = hub_state(request)
    form = dict(await request.form())
    connector_type = str(form.get("type", ""))
    try:
        cls = registry.load(connector_type)
    except ConfigError as exc:
        raise HTTPException(400, str(exc)) from None
    values = parse_form(cls.config_model, form)
    enabled = form.get("enabled") == "on"
    settings = await run_in_threadpool(state.effective)
    if creating and name in settings.connectors:
        return _form_page(
            request,
            connector_type=connector_type,
            name=name,
            values=values,
            errors={"name": "exists"},
            status=409,
        )
    try:
        await run_in_threadpool(
            lambda: save_connector(
                state.engine,
                settings,
                state.box,
                name,
                connector_type,
                values,
                actor=user.name,
                enabled=enabled,
            )
        )
    except ConfigStoreError as exc:
        # secrets are never shown back; anything shaped like one (user:password@ in a URL) masked
        shown = {
            k: mask_text(v) if isinstance(v, str) else v
            for k, v in values.items()
            if k not in _secret_names(cls)
        }
        return _form_page(
            request,
            connector_type=connector_type,
            name=name,
            values=shown,
            errors={"(form)": str(exc), **exc.fields},
            enabled=enabled,
            creating=creating,
            status=422,
        )
    return RedirectResponse(f"/connectors/{name}?saved=1", status_code=303)


def _secret_names(cls: Any) -> set[str]:
    return {f.name for f in form_fields(cls.config_model) if f.kind == "secret"}


@router.post("/connectors/new")
async def create(request: Request, user: User = Depends(ADMIN)) -> Response:
    """Store a new instance after validating it with its config model."""
    form = await request.form()
    return await _save(request, user, str(form.get("name", "")).strip(), creating=True)


@router.get("/connectors/{name}")
async def detail_page(
    request: Request,
    name: str,
    saved: bool = False,
    user: User = Depends(require_role(*READ_CONNECTORS)),
) -> Response:
    """An instance's settings (secrets only as set / not set) and, for admins, its edit form."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    if name not in settings.connectors:
        raise HTTPException(404, f"no connector instance {name!r}")
    view = await run_in_threadpool(instance_view, state, settings, name)
    cls = registry.load(view.type)
    return render(
        request,
        "connectors/detail.html",
        {
            "instance": view,
            "fields": form_fields(cls.config_model),
            "can_edit": user.has(Role.ADMIN),
            "can_check": user.has(*OPERATE),
            "flashes": [("ok", "common.saved")] if saved else [],
        },
    )


@router.post("/connectors/{name}")
async def update(request: Request, name: str, user: User = Depends(ADMIN)) -> Response:
    """Save edits; empty secret inputs keep the held secrets."""
    return await _save(request, user, name, creating=False)


@router.post("/connectors/{name}/delete")
async def remove(request: Request, name: str, user: User = Depends(ADMIN)) -> Response:
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
    return RedirectResponse("/connectors", status_code=303)


@router.post("/connectors/{name}/check")
async def check(
    request: Request, name: str, user: User = Depends(require_role(*OPERATE))
) -> Response:
    """Run ``check()`` and answer the result fragment (HTMX swaps it in)."""
    state = hub_state(request)
    settings = await run_in_threadpool(state.effective)
    if name not in settings.connectors:
        raise HTTPException(404, f"no connector instance {name!r}")
    outcome = await check_instance(settings, name)
    return render(request, "connectors/_check.html", {"outcome": outcome})
