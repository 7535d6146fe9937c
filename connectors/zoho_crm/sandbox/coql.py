"""A COQL subset: ``select ... from M [where ...] [order by ...] [limit [o,] n]``.

Enough for what clients do with it (exact look-ups by a key, ranges on
``Modified_Time``), with Zoho's errors for what it refuses: ``SYNTAX_ERROR``
with the clause, ``LIMIT_EXCEEDED`` past 2,000 rows a call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:\\.|[^'\\])*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>>=|<=|!=|=|<|>|\(|\)|,)"
    r"|(?P<word>[A-Za-z_$][\w$.]*)|(?P<star>\*))",
)
MAX_LIMIT = 2000


class CoqlError(Exception):
    """A query Zoho would refuse; ``code`` and ``details`` go into the 400 body."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.details = details


Predicate = Callable[[dict[str, Any]], bool]


@dataclass
class Query:
    """A parsed query."""

    fields: list[str]
    module: str
    where: Predicate | None = None
    order: list[tuple[str, bool]] = field(default_factory=list)
    offset: int = 0
    limit: int = 200


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise CoqlError(
                "SYNTAX_ERROR", "error occurred while parsing the query", near=text[pos : pos + 20]
            )
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self, word: str | None = None) -> bool:
        if self.i >= len(self.toks):
            return False
        return word is None or self.toks[self.i][1].lower() == word

    def take(self, word: str | None = None, clause: str = "") -> str:
        if self.i >= len(self.toks) or (word is not None and self.toks[self.i][1].lower() != word):
            raise CoqlError(
                "SYNTAX_ERROR", "error occurred while parsing the query", clause=clause or word
            )
        self.i += 1
        return self.toks[self.i - 1][1]

    def query(self) -> Query:
        self.take("select", "select")
        fields = [self.take(clause="select")]
        while self.peek(","):
            self.take(",")
            fields.append(self.take(clause="select"))
        self.take("from", "from")
        q = Query(fields, self.take(clause="from"))
        if self.peek("where"):
            self.take("where")
            q.where = self.disjunction()
        if self.peek("order"):
            self.take("order")
            self.take("by", "order by")
            while True:
                name = self.take(clause="order by")
                desc = False
                if self.peek("asc") or self.peek("desc"):
                    desc = self.take().lower() == "desc"
                q.order.append((name, desc))
                if not self.peek(","):
                    break
                self.take(",")
        if self.peek("limit"):
            self.take("limit")
            first = int(self.take(clause="limit"))
            if self.peek(","):
                self.take(",")
                q.offset, q.limit = first, int(self.take(clause="limit"))
            else:
                q.limit = first
                if self.peek("offset"):
                    self.take("offset")
                    q.offset = int(self.take(clause="offset"))
        if self.i != len(self.toks):
            raise CoqlError(
                "SYNTAX_ERROR", "error occurred while parsing the query", near=self.toks[self.i][1]
            )
        if q.limit > MAX_LIMIT:
            raise CoqlError("LIMIT_EXCEEDED", "limit exceeded", limit=MAX_LIMIT, clause="limit")
        return q

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while self.peek("or"):
            self.take("or")
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def conjunction(self) -> Predicate:
        parts = [self.term()]
        while self.peek("and"):
            self.take("and")
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def term(self) -> Predicate:
        if self.peek("("):
            self.take("(")
            inner = self.disjunction()
            self.take(")", "where")
            return inner
        name = self.take(clause="where")
        if self.peek("is"):
            self.take("is")
            negate = self.peek("not") and bool(self.take())
            self.take("null", "where")
            return lambda r: (_value(r, name) is None) != negate
        negate = self.peek("not") and bool(self.take())
        if self.peek("in"):
            self.take("in")
            self.take("(", "where")
            values = [self.literal()]
            while self.peek(","):
                self.take(",")
                values.append(self.literal())
            self.take(")", "where")
            if len(values) > 100:
                raise CoqlError("LIMIT_EXCEEDED", "limit exceeded", limit=100, clause="where")
            return lambda r: (_value(r, name) in values) != negate
        if self.peek("like"):
            self.take("like")
            pattern = str(self.literal())
            regex = re.compile(
                "^" + ".*".join(re.escape(p) for p in pattern.split("%")) + "$", re.I
            )
            return lambda r: bool(regex.match(str(_value(r, name) or ""))) != negate
        if self.peek("between"):
            self.take("between")
            low = self.literal()
            self.take("and", "where")
            high = self.literal()
            return lambda r: _between(_value(r, name), low, high)
        op = self.take(clause="where")
        value = self.literal()
        compare = {
            "=": lambda a, b: a == b, "!=": lambda a, b: a != b,
            ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
            "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
        }.get(op)  # fmt: skip
        if compare is None:
            raise CoqlError("SYNTAX_ERROR", "error occurred while parsing the query", near=op)
        return lambda r: _compare(compare, _value(r, name), value)

    def literal(self) -> Any:
        kind, text = self.toks[self.i] if self.i < len(self.toks) else ("", "")
        self.i += 1
        if kind == "str":
            return re.sub(r"\\(.)", r"\1", text[1:-1])
        if kind == "num":
            return Decimal(text)
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        if text.lower() == "null":
            return None
        raise CoqlError("SYNTAX_ERROR", "error occurred while parsing the query", near=text)


def parse(text: str) -> Query:
    """Parse a COQL statement or raise ``CoqlError``."""
    if not isinstance(text, str) or not text.strip():
        raise CoqlError("INVALID_QUERY", "select_query is missing", api_name="select_query")
    return _Parser(text).query()


def _value(record: dict[str, Any], name: str) -> Any:
    value: Any = record
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, dict) and "id" in value and part == name.rsplit(".", maxsplit=1)[-1]:
            value = value["id"]
    return value


def _coerce(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(a, str) and isinstance(b, str):
        try:
            return datetime.fromisoformat(a), datetime.fromisoformat(b)
        except ValueError:
            return a, b
    if isinstance(a, int | float | Decimal) and isinstance(b, Decimal):
        return Decimal(str(a)), b
    return a, b


def _compare(op: Callable[[Any, Any], bool], a: Any, b: Any) -> bool:
    if a is not None and b is not None:
        a, b = _coerce(a, b)
    try:
        return bool(op(a, b))
    except TypeError:
        return False


def _between(value: Any, low: Any, high: Any) -> bool:
    return _compare(lambda a, b: a >= b, value, low) and _compare(lambda a, b: a <= b, value, high)


def run(query: Query, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """Filter, order and slice rendered rows; return the page and ``more_records``."""
    selected = [r for r in rows if query.where is None or query.where(r)]
    for name, desc in reversed(query.order):
        selected.sort(key=lambda r: _sort_key(_value(r, name)), reverse=desc)
    page = selected[query.offset : query.offset + query.limit]
    fields = [f for f in query.fields if f != "*"]
    out = [{"id": r["id"], **{f: _project(r, f) for f in fields if f != "id"}} for r in page]
    return out, query.offset + query.limit < len(selected)


def _project(record: dict[str, Any], name: str) -> Any:
    value = record.get(name)
    if isinstance(value, dict) and "id" in value:
        return {"id": value["id"]}  # COQL returns only the id of a lookup
    return value


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, str):
        try:
            return (1, datetime.fromisoformat(value).timestamp())
        except ValueError:
            return (2, value)
    return (1, value)
