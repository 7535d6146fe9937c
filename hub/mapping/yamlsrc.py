"""YAML that remembers where each key was written, so errors can name the line.

Anchors and aliases (``&name`` / ``*name``) are refused: no mapping needs them,
and nine lines of nested aliases expand to hundreds of millions of nodes (the
"billion laughs"), which would stall whoever validates the file.
"""

from __future__ import annotations

from typing import Any

import yaml

Loc = tuple[str | int, ...]


class YamlSource:
    """A parsed YAML document and the 1-based line of every mapping key and list item."""

    def __init__(self, text: str) -> None:
        self.lines: dict[Loc, int] = {}
        self._seen: set[int] = set()
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        self.data: Any = {} if node is None else self._convert(node, ())

    def _convert(self, node: yaml.Node, loc: Loc) -> Any:
        if id(node) in self._seen:  # composed graphs share a node only through an alias
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases (&name, *name) are not supported in mapping "
                "files; write the value out",
                problem_mark=node.start_mark,
            )
        self._seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = yaml.safe_load(yaml.serialize(key_node))
                if key in result:
                    raise yaml.YAMLError(
                        f"line {key_node.start_mark.line + 1}: duplicate key {key!r}"
                    )
                self.lines[(*loc, key)] = key_node.start_mark.line + 1
                result[key] = self._convert(value_node, (*loc, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.lines[(*loc, index)] = item.start_mark.line + 1
                items.append(self._convert(item, (*loc, index)))
            return items
        return yaml.safe_load(yaml.serialize(node))

    def line(self, loc: Loc) -> int | None:
        """The line of ``loc``, or of its nearest ancestor that has one."""
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return None
