"""Bounds on what a mapping expression may build, so a hostile one fails fast instead of hanging.

The Jinja2 sandbox keeps expressions away from Python internals, but not from
exhausting memory or CPU: ``'a' * 2000000000``, ``record.x ** 99999999``,
``'{:>999999999}'.format(1)`` or ten chained ``replace`` filters each ask for
gigabytes from a few dozen characters of source. Worse, Jinja2 folds constant
sub-expressions while *compiling*, so without these bounds merely validating
such a mapping (an operator's "check" button) would stall the web server.

What is bounded, and why these figures: a mapping field is a name, a number or
a short text of a few kilobytes, so no intermediate value needs more than
``MAX_SEQUENCE`` characters or items, no integer more than ``MAX_INT_BITS``
bits, and no text is ever padded, formatted with ``%`` or ``str.format``, or
translated. String methods are allow-listed: the ones that only read or shrink
their text. Anything past a bound raises ``ExpressionLimitError``, which the
mapping engine reports as a failed expression naming the field.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sized
from decimal import Decimal
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.filters import do_int, do_replace, sync_do_join, sync_do_sum
from jinja2.nodes import EvalContext
from jinja2.utils import pass_environment, pass_eval_context

MAX_SEQUENCE = 100_000
"""Longest string or list an expression may build (characters or items)."""
MAX_INT_BITS = 4_096
"""Largest integer a power may produce (about 1,200 decimal digits)."""
MAX_DECIMAL_DIGITS = 40
"""Largest decimal exponent turned into an int (amounts stop at 10**13)."""

SAFE_STR_METHODS = frozenset(
    {
        "capitalize",
        "casefold",
        "count",
        "endswith",
        "find",
        "index",
        "isalnum",
        "isalpha",
        "isascii",
        "isdecimal",
        "isdigit",
        "islower",
        "isnumeric",
        "isspace",
        "istitle",
        "isupper",
        "lower",
        "lstrip",
        "partition",
        "removeprefix",
        "removesuffix",
        "rfind",
        "rindex",
        "rpartition",
        "rsplit",
        "rstrip",
        "split",
        "splitlines",
        "startswith",
        "strip",
        "swapcase",
        "title",
        "upper",
    }
)
"""String methods that only read or shrink their text; padding, formatting, ``join``,
``replace`` (use the bounded filters) and ``translate`` are refused."""

INTERCEPTED_BINOPS = frozenset({"*", "**", "%"})
"""Operators checked before they run (which also stops Jinja2 folding them at compile time)."""


class ExpressionLimitError(SecurityError):
    """An expression asked for more memory or CPU than any mapping needs."""


def str_method_allowed(obj: Any, attr: str) -> bool:
    """Whether ``obj.attr`` may be read: every attribute, except string methods off the list."""
    return not isinstance(obj, str) or attr in SAFE_STR_METHODS


def bounded_binop(symbol: str, left: Any, right: Any) -> Any:
    """``left <symbol> right`` for the intercepted operators, refused past the bounds."""
    if symbol == "**":
        _check_power(left, right)
        return left**right
    if symbol == "*":
        _check_repeat(left, right)
        _check_repeat(right, left)
        return left * right
    if isinstance(left, str):
        raise ExpressionLimitError("string formatting with % is refused; build text with ~")
    return operator.mod(left, right)


def _check_power(base: Any, exponent: Any) -> None:
    if not (_is_int(base) and _is_int(exponent)):
        return  # floats overflow quickly, Decimals keep their context precision
    if exponent > 0 and abs(base) > 1 and abs(base).bit_length() * exponent > MAX_INT_BITS:
        raise ExpressionLimitError(
            f"{base} ** {exponent} would exceed {MAX_INT_BITS} bits; refused"
        )


def _check_repeat(sequence: Any, times: Any) -> None:
    repeating = isinstance(sequence, str | list | tuple) and _is_int(times)
    if repeating and len(sequence) * times > MAX_SEQUENCE:
        raise ExpressionLimitError(
            f"repeating a sequence of {len(sequence)} {times} times would exceed "
            f"{MAX_SEQUENCE:,} items; refused"
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_size(value: Sized, what: str) -> None:
    """Refuse a string or list longer than ``MAX_SEQUENCE``."""
    if len(value) > MAX_SEQUENCE:
        raise ExpressionLimitError(f"{what} would exceed {MAX_SEQUENCE:,} items; refused")


@pass_eval_context
def bounded_replace(
    eval_ctx: EvalContext, value: Any, old: str, new: str, count: int | None = None
) -> str:
    """The ``replace`` filter, refused when the result would pass ``MAX_SEQUENCE``."""
    text, old, new = str(value), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    if count is not None:
        hits = min(hits, max(count, 0))
    if len(text) + hits * (len(new) - len(old)) > MAX_SEQUENCE:
        raise ExpressionLimitError(f"replace would exceed {MAX_SEQUENCE:,} characters; refused")
    return do_replace(eval_ctx, value, old, new, count)


@pass_eval_context
def bounded_join(
    eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: str | int | None = None
) -> str:
    """The ``join`` filter, refused when the result would pass ``MAX_SEQUENCE``."""
    items = list(value)
    check_size(items, "join")
    if len(str(d)) * max(len(items) - 1, 0) + sum(len(str(i)) for i in items) > MAX_SEQUENCE:
        raise ExpressionLimitError(f"join would exceed {MAX_SEQUENCE:,} characters; refused")
    return sync_do_join(eval_ctx, items, d, attribute)


@pass_environment
def bounded_sum(
    environment: Any, iterable: Iterable[Any], attribute: str | int | None = None, start: Any = 0
) -> Any:
    """The ``sum`` filter over numbers only (summing lists or strings would concatenate)."""
    if not isinstance(start, int | float | Decimal) or isinstance(start, bool):
        raise ExpressionLimitError("sum adds numbers; a start that is not a number is refused")
    return sync_do_sum(environment, iterable, attribute, start)


def bounded_int(value: Any, default: int = 0, base: int = 10) -> int:
    """The ``int`` filter, refusing a Decimal whose integer would be enormous."""
    _check_decimal(value)
    return do_int(value, default, base)


def _check_decimal(value: Any) -> None:
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() > MAX_DECIMAL_DIGITS:
        raise ExpressionLimitError(
            f"a number with {value.adjusted() + 1} digits is refused (limit {MAX_DECIMAL_DIGITS})"
        )


def guard_decimal(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Wrap a one-argument filter so an enormous Decimal is refused before it is converted."""

    def guarded(value: Any) -> Any:
        _check_decimal(value)
        return function(value)

    guarded.__doc__ = function.__doc__
    return guarded


BOUNDED_FILTERS: dict[str, Callable[..., Any]] = {
    "replace": bounded_replace,
    "join": bounded_join,
    "sum": bounded_sum,
    "int": bounded_int,
}
"""Allowed filters that could build huge values, replaced by their bounded versions."""
