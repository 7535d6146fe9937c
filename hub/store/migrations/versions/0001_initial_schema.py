"""Initial schema: the canonical entities and the store bookkeeping tables.

Revision ID: 0001
Revises:
Create Date: 2026-12-04 16:27:58.293535
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hub.model.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_at"), ["at"], unique=False)

    op.create_table(
        "change",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("hub_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index("ix_change_entity_seq", ["entity", "seq"], unique=False)

    op.create_table(
        "conflict",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("hub_id", sa.String(length=36), nullable=True),
        sa.Column("field", sa.String(length=100), nullable=True),
        sa.Column("connector", sa.String(length=60), nullable=True),
        sa.Column("remote_id", sa.String(length=100), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("resolution", sa.JSON(), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolved_at", hub.model.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("conflict", schema=None) as batch_op:
        batch_op.create_index("ix_conflict_status", ["status", "entity"], unique=False)

    op.create_table(
        "cursor",
        sa.Column("connector", sa.String(length=60), nullable=False),
        sa.Column("stream", sa.String(length=60), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("updated_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("connector", "stream", "direction"),
    )
    op.create_table(
        "customer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", hub.model.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tax_id", sa.String(length=18), nullable=True),
        sa.Column("address", sa.String(length=400), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("bank_name", sa.String(length=200), nullable=True),
        sa.Column("bank_account", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_number"), ["number"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_tax_id"), ["tax_id"], unique=False)

    op.create_table(
        "dead_letter",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("pipeline", sa.String(length=60), nullable=True),
        sa.Column("connector", sa.String(length=60), nullable=False),
        sa.Column("stream", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("remote_id", sa.String(length=100), nullable=True),
        sa.Column("hub_id", sa.String(length=36), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("first_seen", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_attempt", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", hub.model.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dead_letter", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dead_letter_status_next", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "link",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("hub_id", sa.String(length=36), nullable=False),
        sa.Column("connector", sa.String(length=60), nullable=False),
        sa.Column("stream", sa.String(length=60), nullable=False),
        sa.Column("remote_id", sa.String(length=100), nullable=False),
        sa.Column("remote_key", sa.String(length=100), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=True),
        sa.Column("remote_version", sa.String(length=64), nullable=True),
        sa.Column("raw", sa.JSON(), nullable=True),
        sa.Column("last_run_id", sa.String(length=36), nullable=True),
        sa.Column("updated_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connector", "entity", "remote_id", name="uq_link_remote_side"),
        sa.UniqueConstraint("entity", "hub_id", "connector", name="uq_link_hub_side"),
    )
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.create_index("ix_link_connector_stream", ["connector", "stream"], unique=False)

    op.create_table(
        "run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("pipeline", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=True),
        sa.Column("started_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", hub.model.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("requests", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.create_index("ix_run_pipeline_started", ["pipeline", "started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_status"), ["status"], unique=False)

    op.create_table(
        "run_event",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("stream", sa.String(length=120), nullable=True),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("run_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_event_run_id"), ["run_id"], unique=False)

    op.create_table(
        "contact",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", hub.model.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "contract",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", hub.model.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("amount", hub.model.types.MoneyType(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tax_rate", hub.model.types.DecimalText(length=40), nullable=True),
        sa.Column("tax_exempt", sa.Boolean(), nullable=False),
        sa.Column("sign_date", sa.Date(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("payment_terms", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contract_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contract_number"), ["number"], unique=False)

    op.create_table(
        "invoice",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", hub.model.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("contract_id", sa.String(length=36), nullable=True),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("e_invoice", sa.Boolean(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("net", hub.model.types.MoneyType(), nullable=False),
        sa.Column("tax", hub.model.types.MoneyType(), nullable=False),
        sa.Column("gross", hub.model.types.MoneyType(), nullable=False),
        sa.Column("tax_rate", hub.model.types.DecimalText(length=40), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reverses_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contract.id"],
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoice_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoice_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoice_due_date"), ["due_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoice_number"), ["number"], unique=False)

    op.create_table(
        "milestone",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", hub.model.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("contract_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("amount", hub.model.types.MoneyType(), nullable=True),
        sa.Column("percent", hub.model.types.DecimalText(length=40), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("accepted_at", hub.model.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("project_item", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contract.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestone_contract_id"), ["contract_id"], unique=False)

    op.create_table(
        "payment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", hub.model.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("invoice_id", sa.String(length=36), nullable=True),
        sa.Column("amount", hub.model.types.MoneyType(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("method", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoice.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_invoice_id"), ["invoice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_number"), ["number"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_number"))
        batch_op.drop_index(batch_op.f("ix_payment_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_payment_customer_id"))

    op.drop_table("payment")
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_contract_id"))

    op.drop_table("milestone")
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_number"))
        batch_op.drop_index(batch_op.f("ix_invoice_due_date"))
        batch_op.drop_index(batch_op.f("ix_invoice_customer_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_contract_id"))

    op.drop_table("invoice")
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_number"))
        batch_op.drop_index(batch_op.f("ix_contract_customer_id"))

    op.drop_table("contract")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_customer_id"))

    op.drop_table("contact")
    with op.batch_alter_table("run_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_event_run_id"))

    op.drop_table("run_event")
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_status"))
        batch_op.drop_index("ix_run_pipeline_started")

    op.drop_table("run")
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.drop_index("ix_link_connector_stream")

    op.drop_table("link")
    with op.batch_alter_table("dead_letter", schema=None) as batch_op:
        batch_op.drop_index("ix_dead_letter_status_next")

    op.drop_table("dead_letter")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_tax_id"))
        batch_op.drop_index(batch_op.f("ix_customer_number"))
        batch_op.drop_index(batch_op.f("ix_customer_name"))

    op.drop_table("customer")
    op.drop_table("cursor")
    with op.batch_alter_table("conflict", schema=None) as batch_op:
        batch_op.drop_index("ix_conflict_status")

    op.drop_table("conflict")
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index("ix_change_entity_seq")

    op.drop_table("change")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_at"))

    op.drop_table("audit")
