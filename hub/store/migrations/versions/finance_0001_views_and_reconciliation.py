"""Finance: reconciliation runs, indexes for the finance figures, and the BI views.

The views (documented in docs/finance.md) are a stable contract for BI tools:
columns are only ever added, never renamed or removed, in later migrations.
Money columns are exact ``NUMERIC(20,2)`` on PostgreSQL and ``REAL`` rounded to
the cent on SQLite (which has no decimal type); "today" is the current date in
Asia/Shanghai (a fixed +08:00 on SQLite, which has no zone database).

The SQL is written out here, not imported from application code, so this
migration keeps creating exactly these views whatever the code becomes.

Revision ID: finance_0001
Revises: 0002
"""

# ruff: noqa: S608  (the view SQL is built from constants only, never from input)
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hub.model.types

revision = "finance_0001"
down_revision = "0002"
branch_labels = ("finance",)
depends_on = None

AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ix_fin_payment_invoice_amount", "payment", ("invoice_id", "deleted_at", "amount")),
    ("ix_fin_payment_received_on", "payment", ("received_on",)),
    (
        "ix_fin_invoice_receivable",
        "invoice",
        ("deleted_at", "status", "reverses_id", "customer_id", "due_date", "gross"),
    ),
    (
        "ix_fin_invoice_contract_amounts",
        "invoice",
        ("contract_id", "deleted_at", "status", "net", "gross"),
    ),
    ("ix_fin_invoice_reverses", "invoice", ("reverses_id",)),
    ("ix_fin_invoice_issue_date", "invoice", ("issue_date",)),
    ("ix_fin_milestone_status_accepted", "milestone", ("status", "accepted_at")),
    ("ix_fin_milestone_contract_order", "milestone", ("contract_id", "sequence", "due_date")),
    ("ix_fin_contract_type_status", "contract", ("type", "status")),
)

VIEWS = ("v_reconciliation", "v_contract_execution", "v_customer_360", "v_ar_ageing")

PG = {
    "today": "CAST(CURRENT_TIMESTAMP AT TIME ZONE 'Asia/Shanghai' AS DATE)",
    "dec": "CAST(({x}) / 100.0 AS NUMERIC(20,2))",
    "days": "(({a}) - ({b}))",
    "json_text": "({col}->>'{key}')",
    "json_cents": "CAST(ROUND(CAST({col}->>'{key}' AS NUMERIC) * 100) AS BIGINT)",
    "pct_of": "CAST(ROUND(({amount}) * CAST({pct} AS NUMERIC) / 100) AS BIGINT)",
    "tax_of": "CAST(ROUND(({net}) * CAST({rate} AS NUMERIC)) AS BIGINT)",
    "agg": "string_agg({x}, ', ' ORDER BY {x})",
}
SQLITE = {
    "today": "date('now', '+8 hours')",
    "dec": "ROUND(({x}) / 100.0, 2)",
    "days": "CAST(julianday({a}) - julianday({b}) AS INTEGER)",
    "json_text": "json_extract({col}, '$.{key}')",
    "json_cents": "CAST(ROUND(CAST(json_extract({col}, '$.{key}') AS REAL) * 100) AS INTEGER)",
    "pct_of": "((({amount}) * CAST(ROUND(CAST({pct} AS REAL) * 10000) AS INTEGER) + 500000) / 1000000)",
    "tax_of": "((({net}) * CAST(ROUND(CAST({rate} AS REAL) * 10000) AS INTEGER) + 5000) / 10000)",
    "agg": "group_concat({x}, ', ')",
}


def _open_invoices(d: dict[str, str]) -> str:
    """CTEs ``paid``, ``rev``, ``open_inv``: receivables with a positive open balance (cents)."""
    return f"""
paid AS (
    SELECT invoice_id, SUM(amount) AS paid FROM payment
    WHERE deleted_at IS NULL AND invoice_id IS NOT NULL GROUP BY invoice_id
),
rev AS (
    SELECT reverses_id AS invoice_id, SUM(gross) AS reversed FROM invoice
    WHERE deleted_at IS NULL AND status NOT IN ('draft', 'void') AND reverses_id IS NOT NULL
    GROUP BY reverses_id
),
open_inv AS (
    SELECT i.id, i.number, i.customer_id, i.contract_id, i.issue_date,
           COALESCE(i.due_date, i.issue_date) AS due_date, i.status, i.currency, i.gross,
           COALESCE(p.paid, 0) AS paid, COALESCE(r.reversed, 0) AS reversed,
           i.gross + COALESCE(r.reversed, 0) - COALESCE(p.paid, 0) AS balance,
           {d["today"]} AS as_of
    FROM invoice i
    LEFT JOIN paid p ON p.invoice_id = i.id
    LEFT JOIN rev r ON r.invoice_id = i.id
    WHERE i.deleted_at IS NULL AND i.status NOT IN ('draft', 'void') AND i.reverses_id IS NULL
      AND i.gross + COALESCE(r.reversed, 0) - COALESCE(p.paid, 0) > 0
)"""


def _dec(d: dict[str, str], x: str) -> str:
    return d["dec"].format(x=x)


def v_ar_ageing(d: dict[str, str]) -> str:
    days = d["days"].format(a="o.as_of", b="o.due_date")
    return f"""
CREATE VIEW v_ar_ageing AS
WITH {_open_invoices(d)}
SELECT o.id AS invoice_id, o.number AS invoice_number, o.customer_id,
       c.name AS customer_name, c.tax_id AS customer_tax_id, o.contract_id,
       o.issue_date, o.due_date, o.status, o.currency,
       {_dec(d, "o.gross")} AS gross, {_dec(d, "o.paid")} AS paid,
       {_dec(d, "o.reversed")} AS reversed, {_dec(d, "o.balance")} AS open_balance,
       o.as_of,
       CASE WHEN o.due_date IS NULL THEN 0 ELSE {days} END AS days_past_due,
       CASE WHEN o.due_date IS NULL OR o.due_date >= o.as_of THEN 'not_due'
            WHEN {days} <= 30 THEN '1-30'
            WHEN {days} <= 60 THEN '31-60'
            WHEN {days} <= 90 THEN '61-90'
            ELSE 'over_90' END AS bucket,
       CASE WHEN o.due_date IS NULL OR o.due_date >= o.as_of THEN 0
            WHEN {days} <= 30 THEN 1
            WHEN {days} <= 60 THEN 2
            WHEN {days} <= 90 THEN 3
            ELSE 4 END AS bucket_order
FROM open_inv o
LEFT JOIN customer c ON c.id = o.customer_id
"""


def _milestone_value(d: dict[str, str]) -> str:
    pct = d["pct_of"].format(amount="k.amount", pct="m.percent")
    return (
        f"CASE WHEN m.amount IS NOT NULL THEN m.amount "
        f"WHEN m.percent IS NOT NULL THEN {pct} ELSE 0 END"
    )


def v_contract_execution(d: dict[str, str]) -> str:
    return f"""
CREATE VIEW v_contract_execution AS
WITH ms AS (
    SELECT m.contract_id, COUNT(*) AS milestones,
           SUM(CASE WHEN m.status = 'accepted' THEN {_milestone_value(d)} ELSE 0 END) AS delivered,
           SUM(CASE WHEN m.status <> 'accepted' THEN 1 ELSE 0 END) AS open_milestones,
           SUM(CASE WHEN m.status IN ('planned', 'in_progress') AND m.due_date < {d["today"]}
                    THEN 1 ELSE 0 END) AS overdue_milestones
    FROM milestone m JOIN contract k ON k.id = m.contract_id
    WHERE m.deleted_at IS NULL
    GROUP BY m.contract_id
),
inv AS (
    SELECT contract_id, SUM(net) AS invoiced_net, SUM(gross) AS invoiced_gross FROM invoice
    WHERE deleted_at IS NULL AND status NOT IN ('draft', 'void') AND contract_id IS NOT NULL
    GROUP BY contract_id
),
col AS (
    SELECT i.contract_id, SUM(p.amount) AS collected
    FROM payment p JOIN invoice i ON i.id = p.invoice_id
    WHERE p.deleted_at IS NULL AND i.deleted_at IS NULL AND i.contract_id IS NOT NULL
    GROUP BY i.contract_id
),
ex AS (
    SELECT k.id, k.number, k.title, k.type, k.status, k.customer_id, k.currency,
           k.sign_date, k.start_date, k.end_date, k.amount,
           COALESCE(ms.delivered, 0) AS delivered,
           COALESCE(inv.invoiced_net, 0) AS invoiced_net,
           COALESCE(inv.invoiced_gross, 0) AS invoiced_gross,
           COALESCE(col.collected, 0) AS collected,
           COALESCE(ms.milestones, 0) AS milestones,
           COALESCE(ms.open_milestones, 0) AS open_milestones,
           COALESCE(ms.overdue_milestones, 0) AS overdue_milestones,
           {d["today"]} AS as_of
    FROM contract k
    LEFT JOIN ms ON ms.contract_id = k.id
    LEFT JOIN inv ON inv.contract_id = k.id
    LEFT JOIN col ON col.contract_id = k.id
    WHERE k.deleted_at IS NULL
)
SELECT ex.id AS contract_id, ex.number AS contract_number, ex.title, ex.type AS contract_type,
       ex.status, ex.customer_id, c.name AS customer_name, ex.currency,
       ex.sign_date, ex.start_date, ex.end_date,
       {_dec(d, "ex.amount")} AS contract_amount, {_dec(d, "ex.delivered")} AS delivered,
       {_dec(d, "ex.invoiced_net")} AS invoiced_net,
       {_dec(d, "ex.invoiced_gross")} AS invoiced_gross,
       {_dec(d, "ex.collected")} AS collected,
       {_dec(d, "ex.invoiced_gross - ex.collected")} AS open_balance,
       ex.milestones, ex.open_milestones, ex.overdue_milestones,
       CASE WHEN ex.delivered > ex.invoiced_net THEN 1 ELSE 0 END AS flag_delivered_not_invoiced,
       CASE WHEN ex.invoiced_net > ex.delivered THEN 1 ELSE 0 END AS flag_invoiced_ahead,
       CASE WHEN ex.overdue_milestones > 0 THEN 1 ELSE 0 END AS flag_milestone_overdue,
       CASE WHEN ex.end_date < ex.as_of AND ex.status <> 'terminated'
             AND (ex.open_milestones > 0 OR ex.invoiced_gross - ex.collected > 0
                  OR ex.delivered > ex.invoiced_net)
            THEN 1 ELSE 0 END AS flag_past_end_open,
       ex.as_of
FROM ex
LEFT JOIN customer c ON c.id = ex.customer_id
"""


def v_customer_360(d: dict[str, str]) -> str:
    systems = d["agg"].format(x="connector")
    return f"""
CREATE VIEW v_customer_360 AS
WITH {_open_invoices(d)},
open_by_customer AS (
    SELECT customer_id, SUM(balance) AS open_balance,
           SUM(CASE WHEN due_date < as_of THEN balance ELSE 0 END) AS overdue_balance,
           COUNT(*) AS open_invoices
    FROM open_inv GROUP BY customer_id
),
contracts AS (
    SELECT customer_id, COUNT(*) AS contracts, SUM(amount) AS contract_amount FROM contract
    WHERE deleted_at IS NULL GROUP BY customer_id
),
invoiced AS (
    SELECT customer_id, SUM(gross) AS invoiced_gross FROM invoice
    WHERE deleted_at IS NULL AND status NOT IN ('draft', 'void') GROUP BY customer_id
),
collected AS (
    SELECT customer_id, SUM(amount) AS collected, MAX(received_on) AS last_payment_on
    FROM payment WHERE deleted_at IS NULL GROUP BY customer_id
),
linked AS (
    SELECT hub_id, {systems} AS systems
    FROM (SELECT DISTINCT hub_id, connector FROM link WHERE entity = 'customer') l
    GROUP BY hub_id
)
SELECT c.id AS customer_id, c.number AS customer_number, c.name, c.tax_id, c.status,
       c.industry, c.owner, c.email, c.phone,
       COALESCE(k.contracts, 0) AS contracts,
       {_dec(d, "COALESCE(k.contract_amount, 0)")} AS contract_amount,
       {_dec(d, "COALESCE(i.invoiced_gross, 0)")} AS invoiced_gross,
       {_dec(d, "COALESCE(p.collected, 0)")} AS collected,
       {_dec(d, "COALESCE(o.open_balance, 0)")} AS open_balance,
       {_dec(d, "COALESCE(o.overdue_balance, 0)")} AS overdue_balance,
       COALESCE(o.open_invoices, 0) AS open_invoices,
       p.last_payment_on,
       l.systems,
       c.updated_at
FROM customer c
LEFT JOIN contracts k ON k.customer_id = c.id
LEFT JOIN invoiced i ON i.customer_id = c.id
LEFT JOIN collected p ON p.customer_id = c.id
LEFT JOIN open_by_customer o ON o.customer_id = c.id
LEFT JOIN linked l ON l.hub_id = c.id
WHERE c.deleted_at IS NULL
"""


def _side(d: dict[str, str], alias: str) -> dict[str, str]:
    values = f'{alias}."values"'

    def cents(key: str) -> str:
        return d["json_cents"].format(col=values, key=key)

    rate = d["json_text"].format(col=values, key="tax_rate")
    tax_due = d["tax_of"].format(net=f"ABS({cents('net')})", rate=rate)
    return {
        "gross": f"CASE WHEN r.entity = 'invoice' THEN {cents('gross')} END",
        "net": f"CASE WHEN r.entity = 'invoice' THEN {cents('net')} END",
        "amount": f"CASE WHEN r.entity IN ('contract', 'payment', 'milestone') THEN {cents('amount')} END",
        "status": d["json_text"].format(col=values, key="status"),
        "tax_wrong": (
            f"CASE WHEN r.entity <> 'invoice' OR {alias}.id IS NULL THEN 0 "
            f"WHEN {cents('net')} IS NULL OR {cents('tax')} IS NULL OR {cents('gross')} IS NULL THEN 0 "
            f"WHEN {cents('net')} + {cents('tax')} <> {cents('gross')} THEN 1 "
            f"WHEN {rate} IS NOT NULL AND ABS({cents('tax')}) <> {tax_due} THEN 1 ELSE 0 END"
        ),
    }


def v_reconciliation(d: dict[str, str]) -> str:
    a, b = _side(d, "la"), _side(d, "lb")
    return f"""
CREATE VIEW v_reconciliation AS
WITH systems AS (SELECT DISTINCT entity, connector FROM link),
pairs AS (
    SELECT x.entity, x.connector AS system_a, y.connector AS system_b
    FROM systems x JOIN systems y ON x.entity = y.entity AND x.connector < y.connector
),
recs AS (
    SELECT DISTINCT p.entity, p.system_a, p.system_b, l.hub_id
    FROM pairs p JOIN link l
      ON l.entity = p.entity AND (l.connector = p.system_a OR l.connector = p.system_b)
),
owners AS (
    SELECT 'customer' AS entity, id AS hub_id, id AS customer_id FROM customer
    UNION ALL SELECT 'contract', id, customer_id FROM contract
    UNION ALL SELECT 'invoice', id, customer_id FROM invoice
    UNION ALL SELECT 'payment', id, customer_id FROM payment
    UNION ALL SELECT 'milestone', m.id, k.customer_id
              FROM milestone m LEFT JOIN contract k ON k.id = m.contract_id
),
sides AS (
    SELECT r.entity, r.hub_id, r.system_a, r.system_b,
           la.id AS link_a, lb.id AS link_b,
           la.remote_id AS remote_id_a, lb.remote_id AS remote_id_b,
           la.last_run_id AS last_run_a, lb.last_run_id AS last_run_b,
           {a["gross"]} AS gross_a, {b["gross"]} AS gross_b,
           {a["net"]} AS net_a, {b["net"]} AS net_b,
           {a["amount"]} AS other_a, {b["amount"]} AS other_b,
           {a["status"]} AS status_a, {b["status"]} AS status_b,
           {a["tax_wrong"]} AS tax_wrong_a, {b["tax_wrong"]} AS tax_wrong_b
    FROM recs r
    LEFT JOIN link la ON la.entity = r.entity AND la.hub_id = r.hub_id AND la.connector = r.system_a
    LEFT JOIN link lb ON lb.entity = r.entity AND lb.hub_id = r.hub_id AND lb.connector = r.system_b
),
cmp AS (
    SELECT s.*,
           CASE WHEN s.entity <> 'invoice' THEN s.other_a
                WHEN s.gross_a IS NOT NULL AND s.gross_b IS NOT NULL THEN s.gross_a
                ELSE s.net_a END AS amount_a,
           CASE WHEN s.entity <> 'invoice' THEN s.other_b
                WHEN s.gross_a IS NOT NULL AND s.gross_b IS NOT NULL THEN s.gross_b
                ELSE s.net_b END AS amount_b
    FROM sides s
)
SELECT cmp.entity, cmp.hub_id, o.customer_id, cmp.system_a, cmp.system_b,
       cmp.remote_id_a, cmp.remote_id_b,
       {_dec(d, "cmp.amount_a")} AS amount_a, {_dec(d, "cmp.amount_b")} AS amount_b,
       cmp.status_a, cmp.status_b, cmp.tax_wrong_a, cmp.tax_wrong_b,
       cmp.last_run_a, cmp.last_run_b,
       CASE WHEN cmp.link_a IS NULL THEN 'missing_in_a'
            WHEN cmp.link_b IS NULL THEN 'missing_in_b'
            WHEN cmp.amount_a <> cmp.amount_b THEN 'amount'
            WHEN cmp.status_a <> cmp.status_b THEN 'status'
            WHEN cmp.tax_wrong_a = 1 OR cmp.tax_wrong_b = 1 THEN 'tax'
            ELSE 'ok' END AS result
FROM cmp
LEFT JOIN owners o ON o.entity = cmp.entity AND o.hub_id = cmp.hub_id
"""


def upgrade() -> None:
    op.create_table(
        "finance_recon_run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("started_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("mismatches", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_finance_recon_run_started_at", "finance_recon_run", ["started_at"])
    op.create_table(
        "finance_recon_item",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("hub_id", sa.String(length=36), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("system_a", sa.String(length=60), nullable=False),
        sa.Column("system_b", sa.String(length=60), nullable=False),
        sa.Column("value_a", sa.String(length=100), nullable=True),
        sa.Column("value_b", sa.String(length=100), nullable=True),
        sa.Column("remote_a", sa.String(length=100), nullable=True),
        sa.Column("remote_b", sa.String(length=100), nullable=True),
        sa.Column("last_run_a", sa.String(length=36), nullable=True),
        sa.Column("last_run_b", sa.String(length=36), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_finance_recon_item_run_kind", "finance_recon_item", ["run_id", "kind", "entity"]
    )
    op.create_index(
        "ix_finance_recon_item_run_customer", "finance_recon_item", ["run_id", "customer_id"]
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, list(columns))
    d = PG if op.get_bind().dialect.name == "postgresql" else SQLITE
    for build in (v_ar_ageing, v_customer_360, v_contract_execution, v_reconciliation):
        op.execute(build(d))


def downgrade() -> None:
    for view in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {view}")
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_index("ix_finance_recon_item_run_customer", table_name="finance_recon_item")
    op.drop_index("ix_finance_recon_item_run_kind", table_name="finance_recon_item")
    op.drop_table("finance_recon_item")
    op.drop_index("ix_finance_recon_run_started_at", table_name="finance_recon_run")
    op.drop_table("finance_recon_run")
