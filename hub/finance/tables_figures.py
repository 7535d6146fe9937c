"""The snapshot tables of the finance figures (see ``hub.finance.snapshot``).

Amounts are raw integer hundredths (``BigInteger``): the snapshot is internal,
read only through ``hub.finance`` which turns them into ``Decimal``.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Integer, MetaData, String, Table

from hub.model.types import UtcDateTime

FIGURES = "figures"
metadata = MetaData()
FIGURES = "figures"

SNAPSHOT = Table(
    "finance_snapshot",
    metadata,
    Column("key", String(20), primary_key=True),
    Column("fingerprint", String(1000), nullable=False),
    Column("built_at", UtcDateTime(), nullable=False),
    Column("build_ms", Integer, nullable=False),
)
OPEN_INVOICE = Table(
    "finance_open_invoice",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("number", String(60), nullable=False),
    Column("customer_id", String(36)),
    Column("contract_id", String(36)),
    Column("issue_date", Date),
    Column("due_date", Date),
    Column("status", String(20)),
    Column("currency", String(3)),
    Column("gross", BigInteger, nullable=False),
    Column("paid", BigInteger, nullable=False),
    Column("reversed", BigInteger, nullable=False),
    Column("balance", BigInteger, nullable=False),
)
CONTRACT_FIGURES = Table(
    "finance_contract_figures",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("number", String(60), nullable=False),
    Column("title", String(300)),
    Column("type", String(40)),
    Column("status", String(20)),
    Column("customer_id", String(36)),
    Column("currency", String(3)),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("customer_name", String(200)),
    Column("amount", BigInteger, nullable=False),
    Column("delivered", BigInteger, nullable=False),
    Column("invoiced_net", BigInteger, nullable=False),
    Column("invoiced_gross", BigInteger, nullable=False),
    Column("collected", BigInteger, nullable=False),
    Column("open_balance", BigInteger, nullable=False),
    Column("milestones", Integer, nullable=False),
    Column("open_milestones", Integer, nullable=False),
    Column("overdue_milestones", Integer, nullable=False),
    Column("delivered_not_invoiced", Integer, nullable=False),
    Column("invoiced_ahead", Integer, nullable=False),
    Column("milestone_overdue", Integer, nullable=False),
    Column("past_end_open", Integer, nullable=False),
)
MILESTONE_FIGURES = Table(
    "finance_milestone_figures",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("contract_id", String(36)),
    Column("customer_id", String(36)),
    Column("contract_status", String(20)),
    Column("name", String(200)),
    Column("sequence", Integer),
    Column("due_date", Date),
    Column("status", String(20)),
    Column("accepted_at", UtcDateTime()),
    Column("project_item", String(100)),
    Column("tax_rate", String(40)),
    Column("value", BigInteger, nullable=False),
    Column("invoiced", BigInteger, nullable=False),
    Column("uninvoiced", BigInteger, nullable=False),
)
MONTH_FIGURES = Table(
    "finance_month_figures",
    metadata,
    Column("month", String(7), primary_key=True),
    Column("contract_type", String(40), primary_key=True),
    Column("recognised", BigInteger, nullable=False),
    Column("invoiced", BigInteger, nullable=False),
    Column("collected", BigInteger, nullable=False),
)
CUSTOMER_AGEING = Table(
    "finance_customer_ageing",
    metadata,
    Column("customer_id", String(36), primary_key=True),
    Column("name", String(200)),
    Column("tax_id", String(18)),
    Column("number", String(40)),
    Column("not_due", BigInteger, nullable=False),
    Column("d1_30", BigInteger, nullable=False),
    Column("d31_60", BigInteger, nullable=False),
    Column("d61_90", BigInteger, nullable=False),
    Column("over_90", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("invoices", Integer, nullable=False),
)
FORECAST_DAY = Table(
    "finance_forecast_day",
    metadata,
    Column("source", String(10), nullable=False),
    Column("day", Date),
    Column("late", Integer, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("items", Integer, nullable=False),
)
RATABLE_MONTH = Table(
    "finance_ratable_month",
    metadata,
    Column("month", String(7), primary_key=True),
    Column("recognised", BigInteger, nullable=False),
)
