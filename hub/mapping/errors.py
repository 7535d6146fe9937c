"""Mapping errors: at load time they point at file, line and field; at run time at field and value."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class MappingFileError(ValueError):
    """A mapping file is wrong; one entry per problem, each with file, line and field."""

    def __init__(self, path: Path | str, problems: list[tuple[int | None, str, str]]) -> None:
        self.path = str(path)
        self.problems = problems
        lines = [
            f"{self.path}:{line if line is not None else '?'}: {where}: {message}"
            for line, where, message in problems
        ]
        super().__init__("\n".join(lines))


class MappingError(ValueError):
    """A record could not be mapped (unknown enumeration value, failing expression)."""

    def __init__(self, mapping: str, field: str, value: Any, message: str) -> None:
        self.mapping = mapping
        self.field = field
        self.value = value
        shown = repr(value)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        super().__init__(f"{mapping}: field {field} (value {shown}): {message}")
