"""Targets named by text (``"package.module:function"``) and called with JSON arguments.

Persistent job stores and message brokers can only carry text, and ``jobs``
must not import the code it runs, so every target is a reference resolved at
call time. Coroutine functions are run to completion on a fresh event loop,
since callers (scheduler threads, Celery workers) are synchronous.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
from collections.abc import Callable, Mapping
from typing import Any


class BadReference(ValueError):
    """A reference that does not name an importable callable, or arguments that are not JSON."""


def resolve(reference: str) -> Callable[..., Any]:
    """The callable ``reference`` names; ``BadReference`` says what is wrong with it."""
    module_name, sep, attribute = reference.partition(":")
    if not sep or not module_name or not attribute:
        raise BadReference(f"reference {reference!r} must look like 'package.module:function'")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as exc:
        raise BadReference(f"reference {reference!r} cannot be resolved: {exc}") from None
    if not callable(target):
        raise BadReference(f"reference {reference!r} is not callable")
    return target  # type: ignore[no-any-return]


def check_arguments(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """``kwargs`` as plain JSON (a round trip), or ``BadReference`` if it is not JSON."""
    try:
        plain: dict[str, Any] = json.loads(json.dumps(dict(kwargs)))
    except (TypeError, ValueError) as exc:
        raise BadReference(f"job arguments must be JSON: {exc}") from None
    return plain


def call(reference: str, kwargs: Mapping[str, Any] | None = None) -> Any:
    """Resolve ``reference`` and call it with ``kwargs``; a coroutine is run to its end."""
    target = resolve(reference)
    result = target(**check_arguments(kwargs or {}))
    if inspect.isawaitable(result):
        return asyncio.run(_await(result))
    return result


async def _await(awaitable: Any) -> Any:
    return await awaitable
