"""Customer 360: find a customer by any system's name, tax id or number; one page with everything.

Search looks at the canonical record (name, tax id, number) and at every linked
system's copy (its remote id and document number, and the name, number and tax
id that system holds, which may be spelt its own way). The detail gathers the
master data with the system that last set each field (provenance), the links out
to each vendor system, contracts with execution figures, milestones with their
delivery status and invoiced part, invoices with open balances, payments, and
this customer's mismatches from the latest reconciliation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from sqlalchemy import BigInteger, Connection, or_, select, type_coerce

from hub.finance.ageing import bucket_of
from hub.finance.contracts import ContractLine, contract_execution
from hub.finance.milestones import MilestoneLine, milestone_lines
from hub.finance.reconcile import Mismatch
from hub.finance.reconcile_runs import latest_run, stored_mismatches
from hub.finance.snapshot import ensure
from hub.finance.sql import (
    CUSTOMER,
    INVOICE,
    LINK,
    NOT_RECEIVABLE,
    PAYMENT,
    Sql,
    as_date,
    business_today,
    cents,
    isum,
    like_any,
    money,
)
from hub.finance.tables_figures import OPEN_INVOICE
from hub.settings import Settings

MASTER_FIELDS = (
    "number",
    "name",
    "tax_id",
    "status",
    "industry",
    "owner",
    "address",
    "phone",
    "email",
    "bank_name",
    "bank_account",
)


@dataclass(frozen=True)
class CustomerHit:
    """A search result."""

    id: str
    number: str | None
    name: str
    tax_id: str | None
    status: str
    systems: tuple[str, ...]
    open_balance: Decimal


@dataclass(frozen=True)
class RecordLink:
    """A record's twin in one system, and where to open it."""

    hub_id: str
    connector: str
    connector_type: str
    entity: str
    stream: str
    remote_id: str
    remote_key: str | None
    last_run_id: str | None
    updated_at: datetime | None
    url: str | None


@dataclass(frozen=True)
class MasterField:
    """A master-data field and the system that last set it."""

    name: str
    value: Any
    source: str | None
    run_id: str | None


@dataclass(frozen=True)
class InvoiceLine:
    """An invoice of the customer with what is still open on it."""

    id: str
    number: str
    contract_id: str | None
    kind: str
    status: str
    issue_date: date | None
    due_date: date | None
    net: Decimal
    tax: Decimal
    gross: Decimal
    paid: Decimal
    balance: Decimal
    days_past_due: int
    bucket: str | None
    reverses_id: str | None


@dataclass(frozen=True)
class PaymentLine:
    """A payment received from the customer."""

    id: str
    number: str
    invoice_id: str | None
    invoice_number: str | None
    amount: Decimal
    received_on: date | None
    method: str


@dataclass
class Customer360:
    """Everything finance sees about one customer."""

    id: str
    name: str
    master: list[MasterField]
    links: list[RecordLink]
    contracts: list[ContractLine]
    milestones: list[MilestoneLine]
    milestone_links: dict[str, list[RecordLink]]
    invoices: list[InvoiceLine]
    payments: list[PaymentLine]
    open_balance: Decimal
    overdue_balance: Decimal
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def total_invoiced(self) -> Decimal:
        """Gross of the customer's receivable invoices (reversals subtract)."""
        return sum(
            (i.gross for i in self.invoices if i.status not in ("draft", "void")), Decimal("0.00")
        )

    @property
    def total_paid(self) -> Decimal:
        """All payments received from the customer."""
        return sum((p.amount for p in self.payments), Decimal("0.00"))


def record_url(settings: Settings, link: dict[str, Any]) -> str | None:
    """The URL of a linked record in its vendor's UI, from ``finance.record_links``."""
    template = settings.finance.record_links.get(link["connector"])
    if not template:
        return None
    values = {
        "remote_id": quote(str(link["remote_id"] or ""), safe=""),
        "remote_key": quote(str(link["remote_key"] or link["remote_id"] or ""), safe=""),
        "stream": quote(str(link["stream"] or ""), safe=""),
        "entity": link["entity"],
    }
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError):
        return None


def _record_link(settings: Settings, row: Any) -> RecordLink:
    instance = settings.connectors.get(row["connector"])
    return RecordLink(
        hub_id=row["hub_id"],
        connector=row["connector"],
        connector_type=instance.type if instance else row["connector"],
        entity=row["entity"],
        stream=row["stream"],
        remote_id=row["remote_id"],
        remote_key=row["remote_key"],
        last_run_id=row["last_run_id"],
        updated_at=row["updated_at"],
        url=record_url(settings, row),
    )


def search_customers(
    conn: Connection, sql: Sql, term: str, *, limit: int = 50
) -> list[CustomerHit]:
    """Customers matching ``term`` in any system's name, tax id, number or remote id."""
    term = term.strip()
    query = select(CUSTOMER.c.id).where(CUSTOMER.c.deleted_at.is_(None))
    if term:
        values = LINK.c["values"]
        in_links = select(LINK.c.hub_id).where(
            LINK.c.entity == "customer",
            or_(
                LINK.c.remote_id == term,
                LINK.c.remote_key == term,
                LINK.c.remote_key.ilike(f"%{_escape(term)}%", escape="\\"),
                like_any(term, sql.json_text(values, "name")),
            ),
        )
        query = query.where(
            or_(
                like_any(term, CUSTOMER.c.name, CUSTOMER.c.number, CUSTOMER.c.tax_id),
                CUSTOMER.c.id.in_(in_links),
            )
        )
    ids = [r[0] for r in conn.execute(query.order_by(CUSTOMER.c.name).limit(limit))]
    if not ids:
        return []
    rows = conn.execute(select(CUSTOMER).where(CUSTOMER.c.id.in_(ids))).mappings().all()
    systems: dict[str, list[str]] = {}
    for hub_id, connector in conn.execute(
        select(LINK.c.hub_id, LINK.c.connector)
        .where(LINK.c.entity == "customer", LINK.c.hub_id.in_(ids))
        .order_by(LINK.c.connector)
    ):
        systems.setdefault(hub_id, []).append(connector)
    balances = _open_by_customer(conn, sql, ids)
    order = {cid: i for i, cid in enumerate(ids)}
    return sorted(
        (
            CustomerHit(
                r["id"],
                r["number"],
                r["name"],
                r["tax_id"],
                r["status"],
                tuple(systems.get(r["id"], [])),
                balances.get(r["id"], Decimal("0.00")),
            )
            for r in rows
        ),
        key=lambda hit: order[hit.id],
    )


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _open_by_customer(conn: Connection, sql: Sql, ids: list[str]) -> dict[str, Decimal]:
    ensure(conn, sql, business_today(sql.zone))
    oi = OPEN_INVOICE
    rows = conn.execute(
        select(oi.c.customer_id, isum(oi.c.balance))
        .where(oi.c.customer_id.in_(ids))
        .group_by(oi.c.customer_id)
    ).all()
    return {r[0]: money(r[1]) for r in rows}


def customer_detail(
    conn: Connection, sql: Sql, settings: Settings, today: date, customer_id: str
) -> Customer360 | None:
    """The 360 view of one customer, or ``None`` when there is no such (live) customer."""
    row = (
        conn.execute(
            select(CUSTOMER).where(CUSTOMER.c.id == customer_id, CUSTOMER.c.deleted_at.is_(None))
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    provenance = row["provenance"] or {}
    master = [
        MasterField(
            name,
            row[name],
            (provenance.get(name) or [None, None])[0],
            (provenance.get(name) or [None, None])[1],
        )
        for name in MASTER_FIELDS
    ]
    links = _links(conn, settings, "customer", [customer_id])
    contracts = contract_execution(conn, sql, today, customer_id=customer_id, limit=500).rows
    contract_ids = [c.id for c in contracts]
    milestones = milestone_lines(conn, sql, today, contract_ids)
    ms_links: dict[str, list[RecordLink]] = {}
    for link in _links(conn, settings, "milestone", [m.id for m in milestones]):
        ms_links.setdefault(link.hub_id, []).append(link)
    invoices = _invoices(conn, today, customer_id)
    open_ = [i for i in invoices if i.balance > 0]
    run = latest_run(conn)
    mismatches = (
        stored_mismatches(conn, run.id, customer_id=customer_id, limit=200)[0] if run else []
    )
    return Customer360(
        id=row["id"],
        name=row["name"],
        master=master,
        links=links,
        contracts=contracts,
        milestones=milestones,
        milestone_links=ms_links,
        invoices=invoices,
        payments=_payments(conn, customer_id),
        open_balance=sum((i.balance for i in open_), Decimal("0.00")),
        overdue_balance=sum((i.balance for i in open_ if i.days_past_due > 0), Decimal("0.00")),
        mismatches=mismatches,
    )


def _links(conn: Connection, settings: Settings, entity: str, ids: list[str]) -> list[RecordLink]:
    if not ids:
        return []
    rows = conn.execute(
        select(
            LINK.c.hub_id,
            LINK.c.connector,
            LINK.c.entity,
            LINK.c.stream,
            LINK.c.remote_id,
            LINK.c.remote_key,
            LINK.c.last_run_id,
            LINK.c.updated_at,
        )
        .where(LINK.c.entity == entity, LINK.c.hub_id.in_(ids))
        .order_by(LINK.c.connector)
    ).mappings()
    return [_record_link(settings, r) for r in rows]


def _invoices(conn: Connection, today: date, customer_id: str) -> list[InvoiceLine]:
    paid = (
        select(isum(cents(PAYMENT.c.amount)))
        .where(PAYMENT.c.invoice_id == INVOICE.c.id, PAYMENT.c.deleted_at.is_(None))
        .scalar_subquery()
    )
    mine = (INVOICE.c.customer_id == customer_id, INVOICE.c.deleted_at.is_(None))
    reversed_by = {
        r[0]: money(r[1])
        for r in conn.execute(
            select(INVOICE.c.reverses_id, isum(cents(INVOICE.c.gross)))
            .where(
                *mine, INVOICE.c.reverses_id.is_not(None), INVOICE.c.status.not_in(NOT_RECEIVABLE)
            )
            .group_by(INVOICE.c.reverses_id)
        )
    }
    rows = conn.execute(
        select(INVOICE, type_coerce(paid, BigInteger).label("paid_cents"))
        .where(*mine)
        .order_by(INVOICE.c.issue_date.desc(), INVOICE.c.number)
        .limit(1000)
    ).mappings()
    return [_invoice_line(r, today, reversed_by.get(r["id"], Decimal("0.00"))) for r in rows]


def _invoice_line(r: Any, today: date, reversed_amount: Decimal) -> InvoiceLine:
    gross = r["gross"]
    paid_amount = money(r["paid_cents"])
    balance = gross + reversed_amount - paid_amount
    due = as_date(r["due_date"]) or as_date(r["issue_date"])
    receivable = r["status"] not in NOT_RECEIVABLE and r["reverses_id"] is None
    days = (today - due).days if due and receivable and balance > 0 else 0
    return InvoiceLine(
        id=r["id"],
        number=r["number"],
        contract_id=r["contract_id"],
        kind=r["kind"],
        status=r["status"],
        issue_date=as_date(r["issue_date"]),
        due_date=due,
        net=r["net"],
        tax=r["tax"],
        gross=gross,
        paid=paid_amount,
        balance=balance if receivable else Decimal("0.00"),
        days_past_due=days,
        bucket=bucket_of(days) if receivable and balance > 0 else None,
        reverses_id=r["reverses_id"],
    )


def _payments(conn: Connection, customer_id: str) -> list[PaymentLine]:
    rows = conn.execute(
        select(PAYMENT, INVOICE.c.number.label("invoice_number"))
        .select_from(PAYMENT.outerjoin(INVOICE, INVOICE.c.id == PAYMENT.c.invoice_id))
        .where(PAYMENT.c.customer_id == customer_id, PAYMENT.c.deleted_at.is_(None))
        .order_by(PAYMENT.c.received_on.desc(), PAYMENT.c.number)
        .limit(1000)
    ).mappings()
    return [
        PaymentLine(
            r["id"],
            r["number"],
            r["invoice_id"],
            r["invoice_number"],
            r["amount"],
            as_date(r["received_on"]),
            r["method"],
        )
        for r in rows
    ]
