"""A JQL subset: parser and evaluator, with Jira's date rules.

The part clients get wrong is time: date literals have minute resolution and are
read in the *searching user's* profile time zone, so ``updated >= "2025/06/24
23:59"`` means 23:59 in that zone, and anything written at 23:59:30 matches.
This module does exactly that, and rejects what Jira rejects (seconds in a
literal, unknown fields, ``=`` on text fields) with Jira's kind of message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from connectors.jira.sandbox.model import Issue


class JqlError(ValueError):
    """A query Jira refuses with 400; the message is what Jira would say."""


# -- tokens ------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>!=|>=|<=|!~|=|>|<|~)
      | (?P<punct>[(),])
      | (?P<word>[^\s"'(),=!<>~]+)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc"}


@dataclass(frozen=True, slots=True)
class Token:
    """A lexical token; ``quoted`` keeps ``"AND"`` from being read as the keyword."""

    kind: str
    text: str
    quoted: bool = False

    def keyword(self, word: str) -> bool:
        """Whether this is the unquoted keyword ``word``."""
        return self.kind == "word" and not self.quoted and self.text.lower() == word


def tokenize(query: str) -> list[Token]:
    """Split a query into tokens; an unterminated string is an error."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(query):
        if query[pos:].strip() == "":
            break
        match = _TOKEN.match(query, pos)
        if not match or match.end() == pos:
            raise JqlError(
                f"Error in the JQL Query: The character '{query[pos:].strip()[:1]}' is a "
                f"reserved JQL character. (line 1, character {pos + 1})"
            )
        pos = match.end()
        if match.group("string"):
            raw = match.group("string")[1:-1]
            tokens.append(Token("word", re.sub(r"\\(.)", r"\1", raw), quoted=True))
        elif match.group("op"):
            tokens.append(Token("op", match.group("op")))
        elif match.group("punct"):
            tokens.append(Token(match.group("punct"), match.group("punct")))
        else:
            tokens.append(Token("word", match.group("word")))
    return tokens


# -- syntax tree -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Clause:
    """``field op value(s)``; ``op`` is one of = != > >= < <= ~ !~ in notin is isnot."""

    field: str
    op: str
    values: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class BoolNode:
    """``and`` / ``or`` over children, or ``not`` over one child."""

    op: str
    children: tuple[Node, ...]


Node = Clause | BoolNode


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: the filter (``None`` when unbounded) and the sort keys."""

    where: Node | None
    order: tuple[tuple[str, bool], ...]
    """(field, descending) pairs."""


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise JqlError("Error in the JQL Query: Expecting more input at the end of the query.")
        self.pos += 1
        return token

    def expect(self, kind: str) -> Token:
        token = self.take()
        if token.kind != kind:
            raise JqlError(f"Error in the JQL Query: Expecting '{kind}' but got '{token.text}'.")
        return token

    def query(self) -> Query:
        where = None
        token = self.peek()
        if token is not None and not token.keyword("order"):
            where = self.or_expr()
        order: list[tuple[str, bool]] = []
        token = self.peek()
        if token is not None:
            if not token.keyword("order"):
                raise JqlError(
                    f"Error in the JQL Query: Expecting either 'OR' or 'AND' but got '{token.text}'."
                )
            self.take()
            if not self.take().keyword("by"):
                raise JqlError("Error in the JQL Query: Expecting 'by' after 'order'.")
            while True:
                name = self.take().text
                descending = False
                nxt = self.peek()
                if nxt is not None and (nxt.keyword("asc") or nxt.keyword("desc")):
                    descending = self.take().keyword("desc")
                order.append((name.lower(), descending))
                nxt = self.peek()
                if nxt is None or nxt.kind != ",":
                    break
                self.take()
        if self.peek() is not None:
            raise JqlError(f"Error in the JQL Query: Unexpected '{self.peek().text}'.")  # type: ignore[union-attr]
        return Query(where, tuple(order))

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while (token := self.peek()) is not None and token.keyword("or"):
            self.take()
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else BoolNode("or", tuple(children))

    def and_expr(self) -> Node:
        children = [self.unary()]
        while (token := self.peek()) is not None and token.keyword("and"):
            self.take()
            children.append(self.unary())
        return children[0] if len(children) == 1 else BoolNode("and", tuple(children))

    def unary(self) -> Node:
        token = self.take()
        if token.keyword("not"):
            return BoolNode("not", (self.unary(),))
        if token.kind == "(":
            node = self.or_expr()
            self.expect(")")
            return node
        if token.kind != "word" or (not token.quoted and token.text.lower() in _KEYWORDS):
            raise JqlError(
                f"Error in the JQL Query: Expecting a field name but got '{token.text}'."
            )
        return self.clause(token.text)

    def clause(self, name: str) -> Clause:
        token = self.take()
        if token.kind == "op":
            return Clause(name, token.text, (self.value(),))
        if token.keyword("not"):
            if not self.take().keyword("in"):
                raise JqlError("Error in the JQL Query: Expecting 'in' after 'not'.")
            return Clause(name, "notin", self.value_list())
        if token.keyword("in"):
            return Clause(name, "in", self.value_list())
        if token.keyword("is"):
            negate = False
            if (nxt := self.peek()) is not None and nxt.keyword("not"):
                self.take()
                negate = True
            value = self.take()
            if not (value.keyword("empty") or value.keyword("null")):
                raise JqlError("Error in the JQL Query: Expecting 'EMPTY' or 'NULL' after 'is'.")
            return Clause(name, "isnot" if negate else "is", (None,))
        raise JqlError(f"Error in the JQL Query: Expecting an operator but got '{token.text}'.")

    def value(self) -> str | None:
        token = self.take()
        if token.kind != "word":
            raise JqlError(f"Error in the JQL Query: Expecting a value but got '{token.text}'.")
        if not token.quoted and token.text.lower() in ("empty", "null"):
            return None
        if (nxt := self.peek()) is not None and nxt.kind == "(" and not token.quoted:
            self.take()
            self.expect(")")
            return token.text + "()"
        return token.text

    def value_list(self) -> tuple[str | None, ...]:
        self.expect("(")
        values = [self.value()]
        while (token := self.take()).kind == ",":
            values.append(self.value())
        if token.kind != ")":
            raise JqlError("Error in the JQL Query: Expecting ')' before the end of the query.")
        return tuple(values)


def parse(query: str) -> Query:
    """Parse a JQL string (``JqlError`` with Jira's kind of message on bad syntax)."""
    return _Parser(tokenize(query)).query()


# -- dates -------------------------------------------------------------------------------

_ABSOLUTE = (
    (re.compile(r"^\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}$"), "%Y/%m/%d %H:%M"),
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}$"), "%Y-%m-%d %H:%M"),
    (re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$"), "%Y/%m/%d"),
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$"), "%Y-%m-%d"),
)
_RELATIVE = re.compile(r"^([-+]?)((?:\d+[wdhm]\s*)+)$")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


def parse_date(value: str, field: str, zone: tzinfo, now: datetime) -> datetime:
    """A JQL date literal as an aware instant, read in ``zone`` (the user's profile zone)."""
    text = value.strip()
    for pattern, fmt in _ABSOLUTE:
        if pattern.match(text):
            return datetime.strptime(text, fmt).replace(tzinfo=zone)
    relative = _RELATIVE.match(text)
    if relative:
        delta = timedelta()
        for amount, unit in re.findall(r"(\d+)([wdhm])", relative.group(2)):
            delta += timedelta(**{_UNITS[unit]: int(amount)})
        return now - delta if relative.group(1) == "-" else now + delta
    raise JqlError(
        f"Date value '{value}' for field '{field}' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period "
        "format e.g. '-5d', '4w 2d'."
    )


# -- evaluation --------------------------------------------------------------------------

Predicate = Callable[[Issue], bool]


@dataclass(slots=True)
class Context:
    """What evaluation needs from the site: the user's zone, the clock, name lookups."""

    zone: tzinfo
    now: datetime
    project_ids: Callable[[str], str | None]
    issue_id: Callable[[str], int | None]
    issue_key: Callable[[int], str]
    status_ids: Callable[[str], set[str]]
    category_of: Callable[[str], str]
    type_ids: Callable[[str], set[str]]
    resolution_ids: Callable[[str], set[str]]
    custom_field: Callable[[str], str | None]
    epic_link_field: str | None


_DATE_FIELDS = {
    "updated": "updated",
    "updateddate": "updated",
    "created": "created",
    "createddate": "created",
    "resolutiondate": "resolutiondate",
    "resolved": "resolutiondate",
    "duedate": "duedate",
    "due": "duedate",
}
_TEXT_FIELDS = {"summary", "description", "text"}


def compile_query(query: Query, ctx: Context) -> Predicate:
    """A predicate over issues; unknown fields and values raise ``JqlError`` now, not later."""
    if query.where is None:
        return lambda issue: True
    return _compile(query.where, ctx)


def _compile(node: Node, ctx: Context) -> Predicate:
    if isinstance(node, BoolNode):
        parts = [_compile(child, ctx) for child in node.children]
        if node.op == "and":
            return lambda issue: all(p(issue) for p in parts)
        if node.op == "or":
            return lambda issue: any(p(issue) for p in parts)
        return lambda issue: not parts[0](issue)
    return _clause(node, ctx)


def _sets(op: str, test: Callable[[Issue], set[str]], wanted: set[str]) -> Predicate:
    if op in ("=", "in"):
        return lambda issue: bool(test(issue) & wanted)
    if op in ("!=", "notin"):
        return lambda issue: not (test(issue) & wanted)
    if op == "is":
        return lambda issue: not test(issue)
    if op == "isnot":
        return lambda issue: bool(test(issue))
    raise JqlError(f"The operator '{op}' is not supported by this field.")


def _clause(clause: Clause, ctx: Context) -> Predicate:
    name = clause.field.lower()
    op, values = clause.op, [v for v in clause.values if v is not None]
    if name in _DATE_FIELDS:
        return _date_clause(_DATE_FIELDS[name], clause, ctx)
    if name == "project":
        ids = set()
        for value in values:
            project = ctx.project_ids(value)
            if project is None:
                raise JqlError(f"The value '{value}' does not exist for the field 'project'.")
            ids.add(project)
        return _sets(op, lambda issue: {issue.project}, ids)
    if name in ("key", "issuekey", "issue", "id"):
        wanted = set()
        for value in values:
            found = ctx.issue_id(value)
            if found is None:
                raise JqlError(f"An issue with key '{value}' does not exist for field '{name}'.")
            wanted.add(str(found))
        return _sets(op, lambda issue: {str(issue.id)}, wanted)
    if name == "labels":
        if op in ("~", "!~"):
            raise JqlError("The operator '~' is not supported by the 'labels' field.")
        return _sets(op, lambda issue: set(issue.labels), set(values))
    if name == "status":
        return _sets(op, lambda issue: {issue.status}, _resolve(values, ctx.status_ids, name))
    if name == "statuscategory":
        wanted = {v.lower() for v in values} | {
            key
            for key, label in (("new", "to do"), ("indeterminate", "in progress"), ("done", "done"))
            if label in {v.lower() for v in values}
        }
        wanted |= {
            k for k, i in (("new", "2"), ("done", "3"), ("indeterminate", "4")) if i in values
        }
        return _sets(op, lambda issue: {ctx.category_of(issue.status)}, wanted)
    if name in ("issuetype", "type"):
        return _sets(op, lambda issue: {issue.issuetype}, _resolve(values, ctx.type_ids, name))
    if name == "resolution":
        if any(v.lower() == "unresolved" for v in values) and op in ("=", "is"):
            return lambda issue: issue.resolution is None
        return _sets(
            op,
            lambda issue: {issue.resolution} if issue.resolution else set(),
            _resolve(values, ctx.resolution_ids, name),
        )
    if name == "parent":
        wanted = set()
        for value in values:
            found = ctx.issue_id(value)
            if found is None:
                raise JqlError(f"An issue with key '{value}' does not exist for field 'parent'.")
            wanted.add(str(found))
        return _sets(op, lambda issue: {str(issue.parent)} if issue.parent else set(), wanted)
    if name in _TEXT_FIELDS:
        return _text_clause(name, clause, lambda issue: _issue_text(issue, name))
    field_id = ctx.custom_field(clause.field)
    if field_id is None:
        raise JqlError(
            f"Field '{clause.field}' does not exist or you do not have permission to view it."
        )
    if field_id == ctx.epic_link_field:
        wanted = set()
        for value in values:
            found = ctx.issue_id(value)
            if found is None:
                raise JqlError(f"Issue '{value}' does not exist for field 'Epic Link'.")
            wanted.add(ctx.issue_key(found))
        return _sets(
            op,
            lambda issue: {issue.custom[field_id]} if issue.custom.get(field_id) else set(),
            wanted,
        )
    return _text_clause(clause.field, clause, lambda issue: str(issue.custom.get(field_id) or ""))


def _resolve(values: Sequence[str], lookup: Callable[[str], set[str]], name: str) -> set[str]:
    found: set[str] = set()
    for value in values:
        ids = lookup(value)
        if not ids:
            raise JqlError(f"The value '{value}' does not exist for the field '{name}'.")
        found |= ids
    return found


def _issue_text(issue: Issue, name: str) -> str:
    if name == "summary":
        return issue.summary
    from connectors.jira.sandbox.render import adf_to_text

    description = adf_to_text(issue.description)
    return description if name == "description" else f"{issue.summary}\n{description}"


def _text_clause(name: str, clause: Clause, text: Callable[[Issue], str]) -> Predicate:
    if clause.op not in ("~", "!~"):
        raise JqlError(f"The operator '{clause.op}' is not supported by the '{name}' field.")
    needle = (clause.values[0] or "").lower().strip("*")
    if clause.op == "~":
        return lambda issue: needle in text(issue).lower()
    return lambda issue: needle not in text(issue).lower()


def _date_clause(attr: str, clause: Clause, ctx: Context) -> Predicate:
    if clause.op in ("is", "isnot"):
        present = clause.op == "isnot"
        return lambda issue: (getattr(issue, attr) is not None) == present
    if clause.op not in ("=", "!=", ">", ">=", "<", "<="):
        raise JqlError(f"The operator '{clause.op}' is not supported by the '{attr}' field.")
    value = clause.values[0]
    if value is None:
        raise JqlError(f"The field '{attr}' needs a date value.")
    bound = parse_date(value, clause.field, ctx.zone, ctx.now)

    def instant(issue: Issue) -> datetime | None:
        raw: Any = getattr(issue, attr)
        if raw is None:
            return None
        if isinstance(raw, str):  # duedate: a calendar date, midnight in the user's zone
            day = date.fromisoformat(raw)
            return datetime(day.year, day.month, day.day, tzinfo=ctx.zone)
        return raw  # type: ignore[no-any-return]

    compare: dict[str, Callable[[datetime, datetime], bool]] = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
    }
    test = compare[clause.op]

    def predicate(issue: Issue) -> bool:
        when = instant(issue)
        return when is not None and test(when, bound)

    return predicate
