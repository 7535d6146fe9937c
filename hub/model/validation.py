"""Validating mapped records, with errors that name the entity, the field and the value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from hub.model.entities import CanonicalData
from hub.model.registry import DATA_MODELS


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One reason a record was refused."""

    field: str
    value: Any
    message: str

    def __str__(self) -> str:
        shown = repr(self.value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return f"{self.field}={shown}: {self.message}"


class CanonicalValidationError(ValueError):
    """A record does not satisfy the canonical model; ``problems`` lists every bad field."""

    def __init__(self, entity: str, problems: list[FieldProblem]) -> None:
        self.entity = entity
        self.problems = problems
        super().__init__(f"invalid {entity}: " + "; ".join(str(p) for p in problems))

    @property
    def fields(self) -> list[str]:
        """Names of the offending fields."""
        return [p.field for p in self.problems]


def validate(entity: str, data: dict[str, Any]) -> CanonicalData:
    """The validated ``*Data`` model of ``entity``, or ``CanonicalValidationError``."""
    try:
        model = DATA_MODELS[entity]
    except KeyError:
        raise ValueError(
            f"unknown entity {entity!r}; expected one of {', '.join(DATA_MODELS)}"
        ) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise CanonicalValidationError(entity, _problems(exc, data)) from None


def _problems(exc: ValidationError, data: dict[str, Any]) -> list[FieldProblem]:
    problems = []
    for item in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if not loc:  # a whole-record rule: name the fields its message talks about
            loc = next(
                (name for name in ("gross", "end_date", "reverses_id") if name in message),
                "(record)",
            )
            value = data.get(loc) if loc in data else None
        elif item["type"] == "missing":
            value, message = None, "required, but missing"
        else:
            value = item.get("input")
        problems.append(FieldProblem(loc, value, message))
    return problems
