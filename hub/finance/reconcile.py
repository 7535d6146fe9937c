"""Reconciliation (对账) between every pair of systems linked to the same canonical records.

Each ``link`` row holds, per connector instance, the canonical values that system
is known to hold (``values``), its last raw payload and the run that last touched
it. For every entity that two systems both carry, this compares their copies:

- counts and amount totals per entity, and per customer (only differing customers
  are kept);
- mismatches per record: ``missing`` on one side, ``amount`` differs (contract
  amount, invoice gross, payment or milestone amount), ``status`` differs, and
  ``tax`` arithmetic wrong in one system's copy of an invoice (net + tax != gross,
  or tax != round_half_up(net x rate)).

All comparisons run in SQL over the links (JSON values extracted per dialect), a
few statements per entity and pair. ``hub.finance.reconcile_runs`` stores each result
(``finance_recon_run``, ``finance_recon_item``) so pages read it without re-computing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from itertools import combinations
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.sql import Subquery

from hub.finance.fields import FieldRules
from hub.finance.sql import (
    CONTRACT,
    CUSTOMER,
    INVOICE,
    LINK,
    MILESTONE,
    PAYMENT,
    Sql,
    isum,
    money,
)
from hub.model import canonical_fields
from hub.sync import repo

AMOUNT_FIELDS: dict[str, tuple[str, ...]] = {
    "contract": ("amount",),
    "invoice": ("gross", "net"),
    "payment": ("amount",),
    "milestone": ("amount",),
}
"""Per entity, the amount fields in order of preference: the first both systems keep is compared."""
STATUS_FIELD: dict[str, str] = {
    "customer": "status",
    "contract": "status",
    "invoice": "status",
    "milestone": "status",
}
ENTITY_ORDER = ("customer", "contract", "milestone", "invoice", "payment")
KINDS = ("missing", "amount", "status", "tax")


@dataclass(frozen=True)
class PairTotals:
    """Counts and amount totals of one entity in two systems."""

    entity: str
    system_a: str
    system_b: str
    count_a: int
    count_b: int
    total_a: Decimal | None
    total_b: Decimal | None
    field: str | None = None
    """The amount field the totals add up (None: the entity has none both systems keep)."""
    subset: bool = False
    """One system holds only some records by design (a project tool gets open work only):
    its totals are shown, not compared; its missing records are judged one by one."""

    @property
    def matches(self) -> bool:
        """Whether both systems hold the same number of records and the same total."""
        return self.subset or (self.count_a == self.count_b and self.total_a == self.total_b)


@dataclass(frozen=True)
class CustomerTotals:
    """A customer whose records differ between two systems (counts or amounts)."""

    customer_id: str | None
    customer_name: str
    entity: str
    system_a: str
    system_b: str
    count_a: int
    count_b: int
    total_a: Decimal | None
    total_b: Decimal | None


@dataclass(frozen=True)
class Mismatch:
    """One record whose two copies disagree."""

    kind: str
    entity: str
    hub_id: str
    label: str | None
    customer_id: str | None
    system_a: str
    system_b: str
    value_a: str | None
    value_b: str | None
    remote_a: str | None
    remote_b: str | None
    last_run_a: str | None
    last_run_b: str | None
    detail: str | None = None


@dataclass
class Reconciliation:
    """The outcome of one reconciliation."""

    started_at: datetime
    totals: list[PairTotals] = field(default_factory=list)
    customers: list[CustomerTotals] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)
    run_id: str | None = None

    @property
    def ok(self) -> bool:
        """No mismatch found."""
        return not self.mismatches

    def count(self, kind: str) -> int:
        """Mismatches of one kind."""
        return sum(1 for m in self.mismatches if m.kind == kind)


def _labels(entity: str) -> tuple[Any, Any, Any]:
    """(table, label column, customer column) of an entity, for naming mismatches."""
    if entity == "customer":
        return CUSTOMER, CUSTOMER.c.name, CUSTOMER.c.id
    if entity == "milestone":
        return MILESTONE, MILESTONE.c.name, CONTRACT.c.customer_id
    table = {"contract": CONTRACT, "invoice": INVOICE, "payment": PAYMENT}[entity]
    return table, table.c.number, table.c.customer_id


def _owned(entity: str, base: Any) -> Any:
    """``base`` joined to the entity table (and contract, for milestones)."""
    table, _label, _customer = _labels(entity)
    joined = base.outerjoin(table, table.c.id == base.c.hub_id)
    if entity == "milestone":
        joined = joined.outerjoin(CONTRACT, CONTRACT.c.id == MILESTONE.c.contract_id)
    return joined


def system_pairs(conn: Connection) -> dict[str, list[tuple[str, str]]]:
    """Per entity, the pairs of connector instances that both hold links of it."""
    rows = conn.execute(
        select(LINK.c.entity, LINK.c.connector).group_by(LINK.c.entity, LINK.c.connector)
    ).all()
    systems: dict[str, list[str]] = {}
    for entity, connector in rows:
        systems.setdefault(entity, []).append(connector)
    return {
        entity: list(combinations(sorted(names), 2))
        for entity, names in sorted(systems.items(), key=lambda kv: _order(kv[0]))
        if len(names) > 1
    }


def _order(entity: str) -> int:
    return ENTITY_ORDER.index(entity) if entity in ENTITY_ORDER else len(ENTITY_ORDER)


def reconcile(conn: Connection, sql: Sql, rules: FieldRules | None = None) -> Reconciliation:
    """Compare every linked pair of systems (see module docstring).

    ``rules`` (from ``hub.finance.fields.field_rules``) say which fields the hub keeps
    in step between two systems; without them every field both copies hold is compared.
    """
    rules = rules or FieldRules()
    result = Reconciliation(started_at=datetime.now(UTC))
    for entity, pairs in system_pairs(conn).items():
        for a, b in pairs:
            pair = _Pair(entity, a, b, _amount_field(conn, sql, rules, entity, a, b))
            status = STATUS_FIELD.get(entity)
            compare_status = status is not None and rules.comparable(entity, a, b, status)
            subset = rules.partial(a, entity) or rules.partial(b, entity)
            totals = _pair_totals(conn, sql, pair)
            result.totals.append(dataclasses.replace(totals, subset=subset))
            if not subset:
                result.customers.extend(_customer_totals(conn, sql, pair))
            found = _mismatches(conn, sql, pair, compare_status)
            result.mismatches.extend(_expected(conn, rules, entity, a, b, found))
    return result


def _expected(
    conn: Connection, rules: FieldRules, entity: str, a: str, b: str, found: list[Mismatch]
) -> list[Mismatch]:
    """Drop "missing" findings for records the hub would never create on the missing side."""
    missing = [m for m in found if m.kind == "missing"]
    if not missing:
        return found
    rows = repo.rows_by_id(conn, entity, [m.hub_id for m in missing])
    fields = canonical_fields(entity)
    kept = []
    for mismatch in found:
        if mismatch.kind == "missing":
            side = b if mismatch.detail == f"not in {b}" else a
            row = rows.get(mismatch.hub_id)
            if row is not None and not rules.expects(side, entity, {f: row[f] for f in fields}):
                continue
        kept.append(mismatch)
    return kept


@dataclass(frozen=True)
class _Pair:
    entity: str
    a: str
    b: str
    amount_field: str | None


def _holds(conn: Connection, sql: Sql, entity: str, system: str, name: str) -> bool:
    """Whether any of ``system``'s copies of ``entity`` holds a value for ``name``."""
    found = conn.execute(
        select(LINK.c.id)
        .where(
            LINK.c.entity == entity,
            LINK.c.connector == system,
            sql.json_text(LINK.c["values"], name).is_not(None),
        )
        .limit(1)
    ).first()
    return found is not None


def _amount_field(
    conn: Connection, sql: Sql, rules: FieldRules, entity: str, a: str, b: str
) -> str | None:
    """The first amount field of ``entity`` that both systems keep in step and hold."""
    for name in AMOUNT_FIELDS.get(entity, ()):
        if (
            rules.comparable(entity, a, b, name)
            and _holds(conn, sql, entity, a, name)
            and _holds(conn, sql, entity, b, name)
        ):
            return name
    return None


def _amount(sql: Sql, pair: _Pair, link: Any) -> ColumnElement[int] | None:
    if pair.amount_field is None:
        return None
    return sql.json_cents(link.c["values"], pair.amount_field)


def _pair_totals(conn: Connection, sql: Sql, pair: _Pair) -> PairTotals:
    entity, a, b = pair.entity, pair.a, pair.b
    amount = _amount(sql, pair, LINK)
    columns: list[Any] = [LINK.c.connector, func.count()]
    if amount is not None:
        columns.append(isum(amount))
    rows = {
        r[0]: r
        for r in conn.execute(
            select(*columns)
            .where(LINK.c.entity == entity, LINK.c.connector.in_((a, b)))
            .group_by(LINK.c.connector)
        ).all()
    }

    def figures(system: str) -> tuple[int, Decimal | None]:
        row = rows.get(system)
        count = int(row[1]) if row else 0
        total = None if amount is None else money(row[2] if row else 0)
        return count, total

    (count_a, total_a), (count_b, total_b) = figures(a), figures(b)
    return PairTotals(entity, a, b, count_a, count_b, total_a, total_b, pair.amount_field)


def _customer_totals(conn: Connection, sql: Sql, pair: _Pair) -> list[CustomerTotals]:
    entity, a, b = pair.entity, pair.a, pair.b
    _table, _label, customer = _labels(entity)
    amount = _amount(sql, pair, LINK)

    def side(system: str, value: Any) -> ColumnElement[int]:
        return isum(case((LINK.c.connector == system, value), else_=0))

    count_a, count_b = side(a, 1), side(b, 1)
    total_a = side(a, amount) if amount is not None else literal(0, BigInteger)
    total_b = side(b, amount) if amount is not None else literal(0, BigInteger)
    grouped = (
        select(
            customer.label("customer_id"),
            count_a.label("count_a"),
            count_b.label("count_b"),
            total_a.label("total_a"),
            total_b.label("total_b"),
        )
        .select_from(_owned(entity, LINK))
        .where(LINK.c.entity == entity, LINK.c.connector.in_((a, b)))
        .group_by(customer)
        .having(or_(count_a != count_b, total_a != total_b))
        .subquery("differing")
    )
    rows = conn.execute(
        select(grouped, CUSTOMER.c.name)
        .select_from(grouped.outerjoin(CUSTOMER, CUSTOMER.c.id == grouped.c.customer_id))
        .order_by(CUSTOMER.c.name, grouped.c.customer_id)
    ).mappings()
    return [
        CustomerTotals(
            r["customer_id"],
            r["name"] or "(no customer)",
            entity,
            a,
            b,
            int(r["count_a"]),
            int(r["count_b"]),
            None if amount is None else money(r["total_a"]),
            None if amount is None else money(r["total_b"]),
        )
        for r in rows
    ]


def _pair(entity: str, a: str, b: str) -> tuple[Subquery, Any, Any]:
    """Every record linked in ``a`` or ``b``, with both links (either may be missing)."""
    records = (
        select(LINK.c.hub_id)
        .where(LINK.c.entity == entity, LINK.c.connector.in_((a, b)))
        .group_by(LINK.c.hub_id)
        .subquery("records")
    )
    la, lb = LINK.alias("la"), LINK.alias("lb")
    return records, la, lb


def _mismatches(conn: Connection, sql: Sql, pair: _Pair, compare_status: bool) -> list[Mismatch]:
    entity, a, b = pair.entity, pair.a, pair.b
    records, la, lb = _pair(entity, a, b)
    _table, label, customer = _labels(entity)
    joined = _owned(entity, records)
    joined = joined.outerjoin(
        la, and_(la.c.entity == entity, la.c.hub_id == records.c.hub_id, la.c.connector == a)
    ).outerjoin(
        lb, and_(lb.c.entity == entity, lb.c.hub_id == records.c.hub_id, lb.c.connector == b)
    )
    checks: list[tuple[str, ColumnElement[bool], Any, Any, Callable[[Any], str | None]]] = [
        ("missing", or_(la.c.id.is_(None), lb.c.id.is_(None)), literal(None), literal(None), str)
    ]
    va, vb = _amount(sql, pair, la), _amount(sql, pair, lb)
    if va is not None and vb is not None:
        held = and_(va.is_not(None), vb.is_not(None))
        checks.append(("amount", and_(held, va != vb), va, vb, _money_text))
    if compare_status:
        name = STATUS_FIELD[entity]
        sa_, sb = sql.json_text(la.c["values"], name), sql.json_text(lb.c["values"], name)
        checks.append(
            ("status", and_(sa_.is_not(None), sb.is_not(None), sa_ != sb), sa_, sb, _text)
        )
    found: list[Mismatch] = []
    for kind, condition, value_a, value_b, show in checks:
        rows = conn.execute(
            select(
                records.c.hub_id,
                label.label("label"),
                customer.label("customer_id"),
                value_a.label("value_a"),
                value_b.label("value_b"),
                la.c.remote_id.label("remote_a"),
                lb.c.remote_id.label("remote_b"),
                la.c.last_run_id.label("run_a"),
                lb.c.last_run_id.label("run_b"),
                la.c.id.label("link_a"),
            )
            .select_from(joined)
            .where(condition)
            .order_by(label, records.c.hub_id)
        ).mappings()
        for r in rows:
            detail = pair.amount_field if kind == "amount" else None
            if kind == "missing":
                detail = f"not in {b}" if r["link_a"] is not None else f"not in {a}"
            found.append(_mismatch(kind, entity, a, b, r, show, detail))
    if entity == "invoice":
        found.extend(_tax_mismatches(conn, sql, a, b, joined, la, lb, records))
    return found


def _tax_mismatches(
    conn: Connection, sql: Sql, a: str, b: str, joined: Any, la: Any, lb: Any, records: Any
) -> list[Mismatch]:
    """Invoices whose copy in one system has wrong tax arithmetic."""
    found: list[Mismatch] = []
    for system, link in ((a, la), (b, lb)):
        net = sql.json_cents(link.c["values"], "net")
        tax = sql.json_cents(link.c["values"], "tax")
        gross = sql.json_cents(link.c["values"], "gross")
        rate = sql.json_text(link.c["values"], "tax_rate")
        expected = sql.with_tax(func.abs(net), rate) - func.abs(net)
        held = and_(net.is_not(None), tax.is_not(None), gross.is_not(None))
        wrong = and_(
            held, or_(net + tax != gross, and_(rate.is_not(None), func.abs(tax) != expected))
        )
        rows = conn.execute(
            select(
                records.c.hub_id,
                INVOICE.c.number.label("label"),
                INVOICE.c.customer_id,
                type_coerce(net, BigInteger).label("net"),
                type_coerce(tax, BigInteger).label("tax"),
                type_coerce(gross, BigInteger).label("gross"),
                rate.label("rate"),
                type_coerce(expected, BigInteger).label("expected"),
                la.c.remote_id.label("remote_a"),
                lb.c.remote_id.label("remote_b"),
                la.c.last_run_id.label("run_a"),
                lb.c.last_run_id.label("run_b"),
            )
            .select_from(joined)
            .where(link.c.id.is_not(None), wrong)
            .order_by(INVOICE.c.number, records.c.hub_id)
        ).mappings()
        for r in rows:
            detail = (
                f"in {system}: net {money(r['net'])} + tax {money(r['tax'])} = gross "
                f"{money(r['gross'])}? tax at {r['rate']} should be {money(r['expected'])}"
            )
            mine = _money_text(r["tax"])
            row = {
                **r,
                "value_a": mine if system == a else None,
                "value_b": mine if system == b else None,
            }
            found.append(_mismatch("tax", "invoice", a, b, row, _text, detail))
    return found


def _money_text(value: Any) -> str | None:
    return None if value is None else str(money(value))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _mismatch(
    kind: str,
    entity: str,
    a: str,
    b: str,
    r: Any,
    show: Callable[[Any], str | None],
    detail: str | None,
) -> Mismatch:
    return Mismatch(
        kind=kind,
        entity=entity,
        hub_id=r["hub_id"],
        label=r["label"],
        customer_id=r["customer_id"],
        system_a=a,
        system_b=b,
        value_a=None if kind == "missing" else show(r["value_a"]),
        value_b=None if kind == "missing" else show(r["value_b"]),
        remote_a=r["remote_a"],
        remote_b=r["remote_b"],
        last_run_a=r["run_a"],
        last_run_b=r["run_b"],
        detail=detail,
    )
