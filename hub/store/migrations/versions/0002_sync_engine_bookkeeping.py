"""Sync engine bookkeeping: normalised customer names, last-synced values on links, write intents.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 16:37:25.366574
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hub.model.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "write_intent",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("connector", sa.String(length=60), nullable=False),
        sa.Column("stream", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("hub_id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", hub.model.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connector", "entity", "hub_id", name="uq_write_intent"),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_customer_name_key"), ["name_key"], unique=False)

    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("values", sa.JSON(), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.drop_column("values")

    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_name_key"))
        batch_op.drop_column("name_key")

    op.drop_table("write_intent")
