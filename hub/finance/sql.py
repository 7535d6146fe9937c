"""SQL building blocks the finance figures share, written once for SQLite and PostgreSQL.

Money is integer hundredths in the tables (``MoneyType``), so every figure is an
integer sum in SQL and becomes a ``Decimal`` only at the edge (``money``): exact
on both stores, no float anywhere. Percents and tax rates are stored as decimal
text; they are turned into exact integer arithmetic here (SQLite) or ``NUMERIC``
(PostgreSQL), both rounding half-up to the cent like the VAT rule.

Where the dialects differ (date arithmetic, JSON, time zones) ``Sql`` holds the
one place that knows both spellings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Date,
    Integer,
    Numeric,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    not_,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.sql import Subquery

from hub.model import Contract, Customer, Invoice, Milestone, Payment
from hub.store import Link

CUSTOMER: Table = Customer.__table__  # type: ignore[attr-defined]
CONTRACT: Table = Contract.__table__  # type: ignore[attr-defined]
MILESTONE: Table = Milestone.__table__  # type: ignore[attr-defined]
INVOICE: Table = Invoice.__table__  # type: ignore[attr-defined]
PAYMENT: Table = Payment.__table__  # type: ignore[attr-defined]
LINK: Table = Link.__table__  # type: ignore[attr-defined]

CENT = Decimal("0.01")
NOT_RECEIVABLE = ("draft", "void")
"""Invoice statuses that are not (yet, or any more) a receivable."""
OPEN_MILESTONE = ("planned", "in_progress")
"""Milestone statuses that slip when their due date passes (delivered is waiting on the customer)."""


def money(cents: Any) -> Decimal:
    """Integer hundredths (int, or PostgreSQL's numeric SUM) as a Decimal to the cent."""
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


def cents(column: Any) -> ColumnElement[int]:
    """A ``MoneyType`` column as its raw integer hundredths (no Decimal conversion)."""
    return type_coerce(column, BigInteger)


def isum(expression: Any) -> ColumnElement[int]:
    """``COALESCE(SUM(expr), 0)`` typed as an integer."""
    return type_coerce(func.coalesce(func.sum(expression), 0), BigInteger)


@dataclass(frozen=True)
class Sql:
    """Dialect-specific spellings, for the connection's dialect and the business time zone."""

    dialect: str
    zone: ZoneInfo

    @classmethod
    def of(cls, conn: Connection, zone: ZoneInfo) -> Sql:
        """The helper for ``conn``'s dialect."""
        return cls(conn.dialect.name, zone)

    @property
    def pg(self) -> bool:
        """Whether the store is PostgreSQL."""
        return self.dialect == "postgresql"

    # -- money ---------------------------------------------------------------------

    def percent_of(self, amount_cents: Any, percent_text: Any) -> ColumnElement[int]:
        """``amount x percent / 100`` rounded half-up to the cent (non-negative amounts)."""
        if self.pg:
            exact = cast(amount_cents, Numeric) * cast(percent_text, Numeric) / 100
            return cast(func.round(exact), BigInteger)
        # percent in 1/10000ths is exact for up to four decimals; integer division truncates,
        # so adding half the divisor first rounds half-up.
        e4 = cast(func.round(cast(percent_text, Numeric) * 10000), Integer)
        return type_coerce((cast(amount_cents, BigInteger) * e4 + 500000) // 1000000, BigInteger)

    def with_tax(self, net_cents: Any, rate_text: Any) -> ColumnElement[int]:
        """``net + round_half_up(net x rate)``: the gross a milestone will be invoiced at."""
        rate = func.coalesce(rate_text, "0")
        tax: ColumnElement[int]
        if self.pg:
            tax = cast(func.round(cast(net_cents, Numeric) * cast(rate, Numeric)), BigInteger)
        else:
            e4 = cast(func.round(cast(rate, Numeric) * 10000), Integer)
            tax = type_coerce((cast(net_cents, BigInteger) * e4 + 5000) // 10000, BigInteger)
        return type_coerce(net_cents + tax, BigInteger)

    @staticmethod
    def half_up_div(numerator: Any, denominator: Any) -> ColumnElement[int]:
        """Integer ``numerator / denominator`` rounded half-up (both non-negative integers)."""
        num = cast(numerator, BigInteger)
        den = cast(denominator, BigInteger)
        return type_coerce((num * 2 + den) // (den * 2), BigInteger)

    # -- dates -----------------------------------------------------------------------

    def days_between(self, later: Any, earlier: Any) -> ColumnElement[int]:
        """Whole days from ``earlier`` to ``later`` (dates)."""
        if self.pg:
            return type_coerce(cast(later, Date) - cast(earlier, Date), Integer)
        return cast(func.julianday(later) - func.julianday(earlier), Integer)

    def least(self, *values: Any) -> ColumnElement[Any]:
        """Smallest of the arguments (SQLite's multi-argument ``min``)."""
        return func.least(*values) if self.pg else func.min(*values)

    def greatest(self, *values: Any) -> ColumnElement[Any]:
        """Largest of the arguments (SQLite's multi-argument ``max``)."""
        return func.greatest(*values) if self.pg else func.max(*values)

    def date_month(self, column: Any) -> ColumnElement[str]:
        """``YYYY-MM`` of a date column."""
        if self.pg:
            return func.to_char(column, "YYYY-MM")
        return func.substr(column, 1, 7)

    def local_month(self, utc_column: Any) -> ColumnElement[str]:
        """``YYYY-MM`` of a UTC timestamp seen in the business time zone.

        PostgreSQL converts with the zone's rules. SQLite has no zone database, so
        the zone's current UTC offset is applied; Asia/Shanghai has had one fixed
        offset (+08:00) since 1991, so this is exact for it.
        """
        if self.pg:
            return func.to_char(func.timezone(self.zone.key, utc_column), "YYYY-MM")
        offset = datetime.now(UTC).astimezone(self.zone).utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        return func.strftime("%Y-%m", utc_column, f"{minutes:+d} minutes")

    # -- JSON (link.values) ------------------------------------------------------------

    def json_text(self, column: Any, key: str) -> ColumnElement[str]:
        """The text of ``column[key]`` (a JSON object column)."""
        if self.pg:
            return column.op("->>")(literal(key, String))  # type: ignore[no-any-return]
        return type_coerce(func.json_extract(column, f'$."{key}"'), String)

    def json_cents(self, column: Any, key: str) -> ColumnElement[int]:
        """``column[key]`` (a decimal in text form) as integer hundredths."""
        text = self.json_text(column, key)
        # Amounts below 1e13 have at most 15 significant digits: a double holds them and
        # x*100 lands within far less than half a cent of the integer, so ROUND is exact (PostgreSQL's NUMERIC is exact anyway).
        return cast(func.round(cast(text, Numeric) * 100), BigInteger)


def business_today(zone: ZoneInfo, now: datetime | None = None) -> date:
    """Today's business date in ``zone`` (ageing and flags are judged on it)."""
    return (now or datetime.now(UTC)).astimezone(zone).date()


def receivable(invoice: Any = INVOICE) -> ColumnElement[bool]:
    """An invoice that counts as a receivable: live, issued, not a reversal itself."""
    return and_(
        invoice.c.deleted_at.is_(None),
        not_(invoice.c.status.in_(NOT_RECEIVABLE)),
    )


def _invoices_of(customer_ids: list[str] | None) -> Any:
    """The ids of the invoices of ``customer_ids`` (to narrow the per-invoice sums)."""
    return select(INVOICE.c.id).where(INVOICE.c.customer_id.in_(customer_ids or []))


def paid_by_invoice(customer_ids: list[str] | None = None) -> Subquery:
    """Per invoice, the payments allocated to it (integer hundredths)."""
    query = (
        select(
            PAYMENT.c.invoice_id.label("invoice_id"), isum(cents(PAYMENT.c.amount)).label("paid")
        )
        .where(PAYMENT.c.deleted_at.is_(None), PAYMENT.c.invoice_id.is_not(None))
        .group_by(PAYMENT.c.invoice_id)
    )
    if customer_ids is not None:
        query = query.where(PAYMENT.c.invoice_id.in_(_invoices_of(customer_ids)))
    return query.subquery("paid_by_invoice")


def reversed_by_invoice(customer_ids: list[str] | None = None) -> Subquery:
    """Per original invoice, the (negative) gross of the red-letter invoices reversing it."""
    rev = INVOICE.alias("reversal")
    query = (
        select(rev.c.reverses_id.label("invoice_id"), isum(cents(rev.c.gross)).label("reversed"))
        .where(receivable(rev), rev.c.reverses_id.is_not(None))
        .group_by(rev.c.reverses_id)
    )
    if customer_ids is not None:
        query = query.where(rev.c.reverses_id.in_(_invoices_of(customer_ids)))
    return query.subquery("reversed_by_invoice")


def open_invoices(
    *, customer_id: str | None = None, customer_ids: list[str] | None = None
) -> Subquery:
    """Every receivable with its open balance = gross + reversals - payments allocated to it.

    Red-letter invoices are not listed on their own: they reduce the balance of the
    invoice they reverse. Only positive balances are open (an overpayment is a
    credit, not a receivable). An invoice without a due date is due on its issue
    date. ``customer_id(s)`` narrow every part of the query to those customers.
    """
    scope = [customer_id] if customer_id is not None else customer_ids
    paid = paid_by_invoice(scope)
    rev = reversed_by_invoice(scope)
    balance = (
        cents(INVOICE.c.gross) + func.coalesce(rev.c.reversed, 0) - func.coalesce(paid.c.paid, 0)
    )
    due = func.coalesce(INVOICE.c.due_date, INVOICE.c.issue_date)
    query = (
        select(
            INVOICE.c.id,
            INVOICE.c.number,
            INVOICE.c.customer_id,
            INVOICE.c.contract_id,
            INVOICE.c.issue_date,
            due.label("due_date"),
            INVOICE.c.status,
            INVOICE.c.currency,
            cents(INVOICE.c.gross).label("gross"),
            func.coalesce(paid.c.paid, 0).label("paid"),
            func.coalesce(rev.c.reversed, 0).label("reversed"),
            type_coerce(balance, BigInteger).label("balance"),
        )
        .select_from(
            INVOICE.outerjoin(paid, paid.c.invoice_id == INVOICE.c.id).outerjoin(
                rev, rev.c.invoice_id == INVOICE.c.id
            )
        )
        .where(receivable(), INVOICE.c.reverses_id.is_(None), balance > 0)
    )
    if scope is not None:
        query = query.where(INVOICE.c.customer_id.in_(scope))
    return query.subquery("open_invoice")


def milestone_cents(sql: Sql, milestone: Any = MILESTONE, contract: Any = CONTRACT) -> Any:
    """A milestone's value: its amount, else its percent of the contract amount (half-up)."""
    return case(
        (milestone.c.amount.is_not(None), cents(milestone.c.amount)),
        (milestone.c.percent.is_not(None), sql.percent_of(contract.c.amount, milestone.c.percent)),
        else_=0,
    )


def like_any(term: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive substring match on any of ``columns`` (wildcards in ``term`` escaped)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped.lower()}%"
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


def as_date(value: Any) -> date | None:
    """A date column value as a date (SQLite hands back text through COALESCE and CASE)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
