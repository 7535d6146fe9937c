"""Scheduling: leases, pause flags, queued runs, APScheduler's job store, API budgets, webhooks.

The ``job_*`` and ``apscheduler_jobs`` tables are the ``jobs`` package's own
(``jobs.schema``); creating them here means two schedulers starting at once
never race to create them.

Revision ID: sched_0001
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hub.model.types

revision = "sched_0001"
down_revision = "0002"
branch_labels = ("sched",)
depends_on = None

AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, hub.model.types.UtcDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "job_lease",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=True),
        sa.Column("fence", sa.BigInteger(), nullable=False),
        _when("acquired_at", True),
        _when("heartbeat_at", True),
        _when("expires_at", True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "job_state",
        sa.Column("job_id", sa.String(length=191), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("changed_by", sa.String(length=120), nullable=True),
        _when("changed_at"),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.create_table(
        "job_request",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("job_id", sa.String(length=191), nullable=True),
        sa.Column("lease", sa.String(length=200), nullable=True),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("kwargs", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=True),
        _when("created_at"),
        _when("due_at"),
        _when("dispatched_at", True),
        sa.Column("dispatched_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_job_request_status_due", "job_request", ["status", "due_at"])
    op.create_index(
        "uq_job_request_pending_key",
        "job_request",
        ["key"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_apscheduler_jobs_next_run_time", "apscheduler_jobs", ["next_run_time"])
    op.create_table(
        "api_budget",
        sa.Column("connector", sa.String(length=60), nullable=False),
        _when("window_start"),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("vendor_remaining", sa.Integer(), nullable=True),
        sa.Column("vendor_limit", sa.Integer(), nullable=True),
        _when("vendor_reset_at", True),
        _when("vendor_seen_at", True),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("connector", "window_start"),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("connector", sa.String(length=60), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        _when("received_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connector", "digest", name="uq_webhook_delivery"),
    )
    op.create_index("ix_webhook_delivery_received_at", "webhook_delivery", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_received_at", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_table("api_budget")
    op.drop_index("ix_apscheduler_jobs_next_run_time", table_name="apscheduler_jobs")
    op.drop_table("apscheduler_jobs")
    op.drop_index("uq_job_request_pending_key", table_name="job_request")
    op.drop_index("ix_job_request_status_due", table_name="job_request")
    op.drop_table("job_request")
    op.drop_table("job_state")
    op.drop_table("job_lease")
