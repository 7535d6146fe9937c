"""``ExecuteBillQuery`` semantics: field keys, FilterString, OrderString and row windows.

The server turns a query into SQL over the header joined to one entry table; the
simulator does the same over its records: selecting (or filtering on) an entry
field yields one row per entry line, dotted keys read a referenced record's
number or name, ``FilterString`` is a small SQL-like language, and ``StartRow`` /
``Limit`` / ``TopRowCount`` window the ordered rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.kingdee.protocol import MsgCode, format_date, format_datetime, parse_server_datetime
from connectors.kingdee.sandbox.forms import BASE_DATA, Entry, Field, Form
from connectors.kingdee.sandbox.store import Bill, Table

RefLookup = Callable[[str, str], tuple[int, str] | None]
"""(base data kind, number) -> (internal id, name), ``None`` when unknown."""


class QueryError(Exception):
    """A query the server refuses; carries the MsgCode it answers with."""

    def __init__(self, message: str, code: MsgCode) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class Column:
    """A resolved field key: where its value comes from and how it renders."""

    key: str
    field: Field
    entry: Entry | None = None
    prop: str | None = None
    """``FNumber`` / ``FName`` of a reference; ``None`` for the field itself."""


def resolve(form: Form, key: str) -> Column:
    """Resolve one field key of ``form``, or the server's "field does not exist" error."""
    name, _, prop = key.strip().partition(".")
    f = form.header_field(name)
    if f is not None:
        return _with_prop(key, f, None, prop)
    found = form.entry_of(name)
    if found is not None:
        return _with_prop(key, found[1], found[0], prop)
    entry_key, sep, id_key = name.rpartition("_")
    entry = form.entry(entry_key) if sep else None
    if entry is not None and id_key.lower() == entry.id_key.lower() and not prop:
        return Column(key, Field(entry.id_key, "int"), entry)
    raise QueryError(f"元数据中标识为{name}的字段不存在", MsgCode.FIELD_NOT_FOUND)


def _with_prop(key: str, f: Field, entry: Entry | None, prop: str) -> Column:
    if not prop:
        return Column(key, f, entry)
    if f.kind != "ref" or prop.lower() not in ("fnumber", "fname"):
        raise QueryError(f"元数据中标识为{key}的字段不存在", MsgCode.FIELD_NOT_FOUND)
    return Column(key, f, entry, "FNumber" if prop.lower() == "fnumber" else "FName")


class Reader:
    """Reads column values of (record, entry row) pairs."""

    def __init__(self, lookup: RefLookup) -> None:
        self.lookup = lookup

    def value(self, column: Column, bill: Bill, row: dict[str, Any] | None) -> Any:
        """The typed value of ``column`` in this row (``None`` where SQL would give NULL)."""
        source: dict[str, Any] | None = bill.header if column.entry is None else row
        if source is None:
            return None
        raw = source.get(column.field.key)
        if column.field.kind != "ref" or raw is None:
            return raw
        found = self.lookup(column.field.ref or "", str(raw))
        if column.prop == "FNumber":
            return raw
        if found is None:
            return None
        return found[1] if column.prop == "FName" else found[0]


def render(value: Any) -> Any:
    """A typed value as the server writes it into a result row."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Decimal) and value.as_tuple().exponent == 0:
        return value.quantize(Decimal("0.0"))  # the server always writes a decimal point
    return value


# -- FilterString ---------------------------------------------------------------------
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op><>|!=|>=|<=|=|<|>)"
    r"|(?P<punct>[(),])|(?P<word>[A-Za-z_][\w.]*))"
)

Predicate = Callable[[Bill, dict[str, Any] | None], bool]


class FilterParser:
    """Recursive descent over AND / OR / NOT / parentheses / comparisons."""

    def __init__(self, form: Form, text: str, reader: Reader) -> None:
        self.form = form
        self.reader = reader
        self.columns: list[Column] = []
        self.tokens = list(self._tokenise(text))
        self.pos = 0

    @staticmethod
    def _tokenise(text: str) -> Iterator[tuple[str, str]]:
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                return
            match = _TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                raise QueryError(
                    f"GetRealExpress error: 无法解析过滤条件“{text[pos : pos + 20]}”",
                    MsgCode.EXCEPTION,
                )
            kind = match.lastgroup or ""
            yield kind, match.group(kind)
            pos = match.end()

    def parse(self) -> Predicate:
        """The whole filter as a predicate; an empty filter keeps everything."""
        if not self.tokens:
            return lambda bill, row: True
        predicate = self._or()
        if self.pos != len(self.tokens):
            self._fail()
        return predicate

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _keyword(self, *words: str) -> bool:
        token = self._peek()
        if token and token[0] == "word" and token[1].upper() in words:
            self.pos += 1
            return True
        return False

    def _expect(self, value: str) -> None:
        token = self._peek()
        if token is None or token[1] != value:
            self._fail()
        self.pos += 1

    def _fail(self) -> None:
        raise QueryError("GetRealExpress error: 过滤条件语法错误", MsgCode.EXCEPTION)

    def _or(self) -> Predicate:
        parts = [self._and()]
        while self._keyword("OR"):
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda b, r: any(p(b, r) for p in parts))

    def _and(self) -> Predicate:
        parts = [self._not()]
        while self._keyword("AND"):
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else (lambda b, r: all(p(b, r) for p in parts))

    def _not(self) -> Predicate:
        if self._keyword("NOT"):
            inner = self._not()
            return lambda b, r: not inner(b, r)
        token = self._peek()
        if token and token[1] == "(":
            self.pos += 1
            inner = self._or()
            self._expect(")")
            return inner
        return self._comparison()

    def _comparison(self) -> Predicate:
        token = self._peek()
        if token is None or token[0] != "word":
            self._fail()
        assert token is not None
        self.pos += 1
        column = resolve(self.form, token[1])
        self.columns.append(column)
        read = self.reader.value
        if self._keyword("IS"):
            negate = self._keyword("NOT")
            if not self._keyword("NULL"):
                self._fail()
            return lambda b, r: (read(column, b, r) is None) != negate
        negate = self._keyword("NOT")
        if self._keyword("IN"):
            values = self._list(column)
            return lambda b, r: (_norm(read(column, b, r)) in values) != negate
        if self._keyword("LIKE"):
            pattern = _like(self._literal_text())
            return lambda b, r: bool(pattern.fullmatch(str(read(column, b, r) or ""))) != negate
        op = self._peek()
        if negate or op is None or op[0] != "op":
            self._fail()
        assert op is not None
        self.pos += 1
        right = self._operand(column)
        compare = _OPS[op[1]]

        def check(b: Bill, r: dict[str, Any] | None) -> bool:
            left = _norm(read(column, b, r))
            return left is not None and right is not None and compare(left, right)

        return check

    def _list(self, column: Column) -> set[Any]:
        self._expect("(")
        values = {self._operand(column)}
        while self._peek() and self._peek() == ("punct", ","):
            self.pos += 1
            values.add(self._operand(column))
        self._expect(")")
        return values

    def _literal_text(self) -> str:
        token = self._peek()
        if token is None or token[0] not in ("str", "num"):
            self._fail()
        assert token is not None
        self.pos += 1
        return token[1][1:-1].replace("''", "'") if token[0] == "str" else token[1]

    def _operand(self, column: Column) -> Any:
        text = self._literal_text()
        kind = "text" if column.prop else column.field.kind
        if column.field.kind == "ref" and column.prop is None:
            kind = "int"
        try:
            if kind == "datetime":
                return parse_server_datetime(text)
            if kind == "date":
                return parse_server_datetime(text).date()
            if kind in ("decimal", "int"):
                return Decimal(text)
            if kind == "bool":
                return text.lower() in ("1", "true")
        except (ValueError, InvalidOperation):
            raise QueryError(
                f"GetRealExpress error: 值“{text}”不能转换为字段{column.key}的类型",
                MsgCode.EXCEPTION,
            ) from None
        return text


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return Decimal(value)
    return value


def _like(pattern: str) -> re.Pattern[str]:
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.compile(regex, re.IGNORECASE | re.DOTALL)


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


# -- the query ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class QuerySpec:
    """The ``data`` of an ExecuteBillQuery call, validated."""

    field_keys: str
    filter_string: str = ""
    order_string: str = ""
    top_row_count: int = 0
    start_row: int = 0
    limit: int = 0


def run_query(
    table: Table, spec: QuerySpec, lookup: RefLookup, *, max_limit: int, reject_over_limit: bool
) -> list[list[Any]]:
    """Rows (arrays in FieldKeys order) the server would return for ``spec``."""
    form = table.form
    keys = [k for k in spec.field_keys.split(",") if k.strip()]
    if not keys:
        raise QueryError("data数据包中的参数FieldKeys的值不能为空。", MsgCode.PARAMETER)
    reader = Reader(lookup)
    columns = [resolve(form, k) for k in keys]
    parser = FilterParser(form, spec.filter_string or "", reader)
    predicate = parser.parse()
    order = _order(form, spec.order_string)
    entries = {c.entry.key for c in (*columns, *parser.columns, *(c for c, _ in order)) if c.entry}
    if len(entries) > 1:
        raise QueryError("不支持同时查询多个单据体的字段。", MsgCode.EXCEPTION)
    entry = form.entry(next(iter(entries))) if entries else None
    contexts: list[tuple[Bill, dict[str, Any] | None]] = []
    for bill in sorted(table.bills.values(), key=lambda b: b.id):
        lines: list[dict[str, Any] | None] = [None]
        if entry is not None and bill.entries.get(entry.key):
            lines = list(bill.entries[entry.key])
        contexts += [(bill, row) for row in lines if predicate(bill, row)]
    for column, descending in reversed(order):

        def key(
            context: tuple[Bill, dict[str, Any] | None], col: Column = column
        ) -> tuple[int, Any]:
            return _sort_key(reader.value(col, context[0], context[1]))

        contexts.sort(key=key, reverse=descending)
    if spec.top_row_count > 0:
        contexts = contexts[: spec.top_row_count]
    limit = spec.limit if spec.limit > 0 else max_limit
    if limit > max_limit:
        if reject_over_limit:
            raise QueryError(f"Limit不能超过{max_limit}。", MsgCode.PARAMETER)
        limit = max_limit
    window = contexts[max(0, spec.start_row) : max(0, spec.start_row) + limit]
    return [[render(reader.value(c, bill, row)) for c in columns] for bill, row in window]


def _order(form: Form, text: str) -> list[tuple[Column, bool]]:
    result = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        words = part.split()
        if len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise QueryError(f"排序字段“{part}”格式不正确", MsgCode.EXCEPTION)
        result.append((resolve(form, words[0]), len(words) == 2 and words[1].upper() == "DESC"))
    return result


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, 0) if value is None else (1, value)


def base_lookup(customers: Table) -> RefLookup:
    """Reference resolution: customers from their table, other base data from ``BASE_DATA``."""
    stable: dict[tuple[str, str], int] = {}
    for kind, items in BASE_DATA.items():
        for i, number in enumerate(items):
            stable[(kind, number)] = 1000 + len(stable) + i

    def lookup(kind: str, number: str) -> tuple[int, str] | None:
        if kind == "BD_Customer":
            bill = customers.find(number)
            return None if bill is None else (bill.id, str(bill.header.get("FName") or ""))
        if kind in BASE_DATA and number in BASE_DATA[kind]:
            return stable[(kind, number)], BASE_DATA[kind][number]
        return None

    return lookup
