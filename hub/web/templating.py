"""Jinja2 rendering with what every page needs: the user, the language, ``t()``, CSRF, nav.

Templates live in ``hub/web/templates`` (areas may add folders with
``add_template_dir``). Autoescaping is on; secrets never reach a template
context (forms render secret fields empty, see ``services.forms``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup, escape
from starlette.responses import Response

from hub.web.deps import LANG_COOKIE
from hub.web.i18n import LANGUAGES, catalogue, pick_language
from hub.web.nav import sections_for

TEMPLATES = Path(__file__).with_name("templates")
_DIRS: list[Path] = [TEMPLATES]
_templates = Jinja2Templates(directory=str(TEMPLATES))


def add_template_dir(path: Path) -> None:
    """Let templates be found in ``path`` too (after this package's own)."""
    if path not in _DIRS:
        _DIRS.append(path)
        _templates.env.loader = ChoiceLoader([FileSystemLoader(str(d)) for d in _DIRS])


def language(request: Request) -> str:
    """The language of this request's pages."""
    return pick_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def local_time(
    value: datetime | None, zone: str = "Asia/Shanghai", fmt: str = "%Y-%m-%d %H:%M:%S"
) -> str:
    """An aware time shown in the business time zone."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(zone)).strftime(fmt)


def money(value: Decimal | int | float | None, places: int = 2) -> str:
    """An amount with thousands separators and fixed decimals (Decimal kept exact)."""
    if value is None:
        return ""
    return f"{Decimal(value):,.{places}f}"


def run_totals(counts: dict[str, dict[str, int]] | None) -> dict[str, int]:
    """A run's per-binding counters summed (``read``, ``written``, ``dead`` and every counter)."""
    total: dict[str, int] = {}
    for binding in (counts or {}).values():
        for key, value in binding.items():
            total[key] = total.get(key, 0) + int(value)
    total["written"] = total.get("pushed_created", 0) + total.get("pushed_updated", 0)
    total["dead"] = total.get("dead_lettered", 0)
    total.setdefault("read", 0)
    return total


_templates.env.filters["local"] = local_time
_templates.env.filters["run_totals"] = run_totals
_templates.env.filters["money"] = money


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """Render template ``name`` with the page context every template may use."""
    lang = language(request)
    messages = catalogue()
    caller = getattr(request.state, "principal", None)
    user = caller.user if caller else None
    csrf = caller.csrf if caller else (context or {}).get("csrf_token")
    state = request.app.state.hub

    def t(key: str, **values: object) -> str:
        return messages.text(key, lang, **values)

    def csrf_input() -> Markup:
        return Markup('<input type="hidden" name="csrf_token" value="{}">').format(
            escape(csrf or "")
        )

    page: dict[str, Any] = {
        "request": request,
        "t": t,
        "lang": lang,
        "languages": LANGUAGES,
        "user": user,
        "csrf_token": csrf,
        "csrf_input": csrf_input,
        "nav": sections_for(user),
        "zone": state.settings.timezone,
        "path": request.url.path,
    }
    page.update(context or {})
    return _templates.TemplateResponse(request, name, page, status_code=status_code)
