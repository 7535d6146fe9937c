"""Jinja2 for computed fields: sandboxed, allow-listed, compiled once, native results.

A mapping is data an admin edits in a browser, so its expressions are hostile
until proven otherwise: the sandbox refuses unsafe attribute access at run time,
and ``check_safe`` refuses any private or dunder name before an expression is
ever compiled, so ``''.__class__.__mro__`` fails at load with a clear message.
``hub.mapping.limits`` bounds what an expression may build (memory, CPU), and a
loop inside a loop is refused, so a hostile mapping fails instead of hanging.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from typing_extensions import override

from hub.mapping.limits import (
    BOUNDED_FILTERS,
    INTERCEPTED_BINOPS,
    bounded_binop,
    guard_decimal,
    str_method_allowed,
)
from hub.model.money import to_decimal

ALLOWED_FILTERS = (
    "abs",
    "default",
    "first",
    "float",
    "int",
    "join",
    "last",
    "length",
    "lower",
    "max",
    "min",
    "replace",
    "round",
    "string",
    "sum",
    "title",
    "trim",
    "truncate",
    "upper",
    "list",
    "map",
    "select",
    "selectattr",
    "reject",
    "rejectattr",
    "attr",
)


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else to_decimal(value)


def _to_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)[:10]).date()


def _to_datetime(value: Any, zone: str = "Asia/Shanghai") -> datetime | None:
    """Parse ISO text; a naive value is read in ``zone`` (Kingdee sends no zone)."""
    if value in (None, ""):
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(zone))


def _percent(value: Any) -> Decimal | None:
    """13 -> 0.13 (vendors write rates as percents)."""
    amount = _decimal(value)
    return None if amount is None else amount / 100


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _number(value: Any) -> Any:
    """Decimal -> int or float for a vendor that wants JSON numbers (exact for 2 decimals)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


CUSTOM_FILTERS: dict[str, Callable[..., Any]] = {
    "decimal": _decimal,
    "to_date": _to_date,
    "to_datetime": _to_datetime,
    "percent": _percent,
    "iso": _iso,
    "number": guard_decimal(_number),
}


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox plus ``hub.mapping.limits``: bounded operators and string methods."""

    intercepted_binops = INTERCEPTED_BINOPS

    @override
    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return str_method_allowed(obj, attr) and super().is_safe_attribute(obj, attr, value)

    @override
    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        return bounded_binop(operator, left, right)

    @override
    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        return None  # str.format is refused outright (widths pad without bound), not wrapped


def _build_env() -> ImmutableSandboxedEnvironment:
    env = BoundedSandbox(undefined=StrictUndefined, autoescape=False)
    env.filters = {name: env.filters[name] for name in ALLOWED_FILTERS}
    env.filters.update(BOUNDED_FILTERS)
    env.filters.update(CUSTOM_FILTERS)
    env.globals = {"dict": dict, "none": None}
    env.tests = {
        name: env.tests[name] for name in ("defined", "undefined", "none", "number", "string", "in")
    }
    return env


ENV = _build_env()


class UnsafeExpression(ValueError):
    """An expression reaches for something the sandbox forbids."""


def check_safe(source: str, *, template: bool) -> None:
    """Refuse private/dunder names and unknown filters before compiling."""
    try:
        tree = ENV.parse(source if template else "{{ " + source + " }}")
    except TemplateSyntaxError as exc:
        raise UnsafeExpression(f"syntax error: {exc.message}") from None
    for loop in tree.find_all(nodes.For):
        if any(True for _ in loop.find_all(nodes.For)):
            raise UnsafeExpression(
                "a loop inside a loop is refused (its cost grows with the square of the data)"
            )
    for node in tree.find_all(
        (nodes.Getattr, nodes.Getitem, nodes.Name, nodes.Filter, nodes.Const)
    ):
        name = None
        if isinstance(node, nodes.Const) and isinstance(node.value, str) and "__" in node.value:
            raise UnsafeExpression(
                f"the string {node.value!r} names a dunder attribute; refused by the sandbox"
            )
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            name = node.arg.value if isinstance(node.arg.value, str) else None
        elif isinstance(node, nodes.Name):
            name = node.name
        elif isinstance(node, nodes.Filter) and node.name not in ENV.filters:
            raise UnsafeExpression(
                f"filter {node.name!r} is not allowed; allowed: {', '.join(sorted(ENV.filters))}"
            )
        if name is not None and name.startswith("_"):
            raise UnsafeExpression(f"access to private name {name!r} is refused by the sandbox")


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Callable[..., Any]:
    """A callable evaluating the expression (no braces) to a native Python value."""
    check_safe(source, template=False)
    return ENV.compile_expression(source, undefined_to_none=False)


@lru_cache(maxsize=1024)
def compile_template(source: str) -> Callable[..., str]:
    """A callable rendering text (braces included) to a string."""
    check_safe(source, template=True)
    return ENV.from_string(source).render
