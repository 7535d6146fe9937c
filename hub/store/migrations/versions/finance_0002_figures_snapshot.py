"""Finance: the figures snapshot (open invoices, contract, milestone and month figures).

Materialised sums the finance pages read through indexes instead of scanning every
invoice and payment per request; rebuilt by ``hub.finance.snapshot`` when the
store changes. Indexes on ``updated_at`` make the change fingerprint index-only.

Revision ID: finance_0002
Revises: finance_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hub.model.types

revision = "finance_0002"
down_revision = "finance_0001"
branch_labels = None
depends_on = None

WATCHED = ("customer", "contract", "milestone", "invoice", "payment")


def _money(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.BigInteger(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "finance_snapshot",
        sa.Column("key", sa.String(length=20), nullable=False),
        sa.Column("fingerprint", sa.String(length=1000), nullable=False),
        sa.Column("built_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("build_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "finance_open_invoice",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("contract_id", sa.String(length=36), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        _money("gross"),
        _money("paid"),
        _money("reversed"),
        _money("balance"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fin_open_customer_due", "finance_open_invoice", ["customer_id", "due_date"])
    op.create_index("ix_fin_open_due", "finance_open_invoice", ["due_date", "number"])
    op.create_index("ix_fin_open_due_balance", "finance_open_invoice", ["due_date", "balance"])
    op.create_table(
        "finance_contract_figures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("type", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("customer_name", sa.String(length=200), nullable=True),
        _money("amount"),
        _money("delivered"),
        _money("invoiced_net"),
        _money("invoiced_gross"),
        _money("collected"),
        _money("open_balance"),
        sa.Column("milestones", sa.Integer(), nullable=False),
        sa.Column("open_milestones", sa.Integer(), nullable=False),
        sa.Column("overdue_milestones", sa.Integer(), nullable=False),
        sa.Column("delivered_not_invoiced", sa.Integer(), nullable=False),
        sa.Column("invoiced_ahead", sa.Integer(), nullable=False),
        sa.Column("milestone_overdue", sa.Integer(), nullable=False),
        sa.Column("past_end_open", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fin_contract_fig_customer", "finance_contract_figures", ["customer_id"])
    op.create_index("ix_fin_contract_fig_number", "finance_contract_figures", ["number", "id"])
    op.create_table(
        "finance_milestone_figures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("contract_id", sa.String(length=36), nullable=True),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("contract_status", sa.String(length=20), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("accepted_at", hub.model.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("project_item", sa.String(length=100), nullable=True),
        sa.Column("tax_rate", sa.String(length=40), nullable=True),
        _money("value"),
        _money("invoiced"),
        _money("uninvoiced"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fin_ms_fig_contract", "finance_milestone_figures", ["contract_id"])
    op.create_index("ix_fin_ms_fig_slip", "finance_milestone_figures", ["status", "due_date"])
    op.create_table(
        "finance_month_figures",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("contract_type", sa.String(length=40), nullable=False),
        _money("recognised"),
        _money("invoiced"),
        _money("collected"),
        sa.PrimaryKeyConstraint("month", "contract_type"),
    )
    op.create_table(
        "finance_customer_ageing",
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("tax_id", sa.String(length=18), nullable=True),
        sa.Column("number", sa.String(length=40), nullable=True),
        _money("not_due"),
        _money("d1_30"),
        _money("d31_60"),
        _money("d61_90"),
        _money("over_90"),
        _money("total"),
        sa.Column("invoices", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_index("ix_fin_ageing_total", "finance_customer_ageing", ["total", "name"])
    op.create_table(
        "finance_forecast_day",
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("late", sa.Integer(), nullable=False),
        _money("amount"),
        sa.Column("items", sa.Integer(), nullable=False),
    )
    op.create_index("ix_fin_forecast_source", "finance_forecast_day", ["source", "day"])
    op.create_table(
        "finance_ratable_month",
        sa.Column("month", sa.String(length=7), nullable=False),
        _money("recognised"),
        sa.PrimaryKeyConstraint("month"),
    )
    for table in WATCHED:
        op.create_index(f"ix_fin_{table}_updated_at", table, ["updated_at"])


def downgrade() -> None:
    for table in WATCHED:
        op.drop_index(f"ix_fin_{table}_updated_at", table_name=table)
    op.drop_table("finance_ratable_month")
    op.drop_index("ix_fin_forecast_source", table_name="finance_forecast_day")
    op.drop_table("finance_forecast_day")
    op.drop_index("ix_fin_ageing_total", table_name="finance_customer_ageing")
    op.drop_table("finance_customer_ageing")
    op.drop_index("ix_fin_ms_fig_slip", table_name="finance_milestone_figures")
    op.drop_table("finance_month_figures")
    op.drop_index("ix_fin_ms_fig_contract", table_name="finance_milestone_figures")
    op.drop_table("finance_milestone_figures")
    op.drop_index("ix_fin_contract_fig_number", table_name="finance_contract_figures")
    op.drop_index("ix_fin_contract_fig_customer", table_name="finance_contract_figures")
    op.drop_table("finance_contract_figures")
    op.drop_index("ix_fin_open_due_balance", table_name="finance_open_invoice")
    op.drop_index("ix_fin_open_due", table_name="finance_open_invoice")
    op.drop_index("ix_fin_open_customer_due", table_name="finance_open_invoice")
    op.drop_table("finance_open_invoice")
    op.drop_table("finance_snapshot")
