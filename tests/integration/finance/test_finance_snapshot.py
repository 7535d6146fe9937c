"""The figures snapshot follows the store: any write, a new business day, a hard delete."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import finance_dataset as ds
from sqlalchemy import Engine, delete, insert, select, update

from hub.finance.ageing import ageing_by_customer
from hub.finance.contracts import contract_execution
from hub.finance.snapshot import refresh_figures
from hub.finance.sql import INVOICE, PAYMENT
from hub.finance.tables_figures import SNAPSHOT
from hub.settings import Settings


def _total(engine: Engine, today: date = ds.TODAY) -> Decimal:
    with engine.connect() as conn:
        return ageing_by_customer(conn, today).total


def test_a_new_payment_moves_the_figures(finance_engine: Engine) -> None:
    assert _total(finance_engine) == ds.AGEING_TOTAL
    later = ds.NOW + timedelta(hours=1)
    with finance_engine.begin() as conn:
        conn.execute(
            insert(PAYMENT),
            [
                {
                    "id": "P9",
                    "number": "SK9",
                    "customer_id": "C2",
                    "invoice_id": "I3",
                    "amount": Decimal("600.00"),
                    "currency": "CNY",
                    "received_on": ds.TODAY,
                    "method": "bank_transfer",
                    "version": 1,
                    "created_at": later,
                    "updated_at": later,
                    "provenance": {},
                    "extra": {},
                }
            ],
        )
    assert _total(finance_engine) == ds.AGEING_TOTAL - Decimal("600.00")
    with finance_engine.begin() as conn:  # an edit stamps updated_at
        conn.execute(
            update(INVOICE)
            .where(INVOICE.c.id == "I3")
            .values(status="void", updated_at=later + timedelta(minutes=1))
        )
    assert _total(finance_engine) == ds.AGEING_TOTAL - Decimal("10600.00")
    with finance_engine.begin() as conn:  # a hard delete changes a count
        conn.execute(delete(PAYMENT).where(PAYMENT.c.id == "P1"))
    assert _total(finance_engine) == ds.AGEING_TOTAL - Decimal("10600.00") + Decimal("10000.00")


def test_a_new_day_rebuilds_and_unchanged_reads_do_not(finance_engine: Engine) -> None:
    assert _total(finance_engine) == ds.AGEING_TOTAL
    with finance_engine.connect() as conn:
        first = conn.execute(select(SNAPSHOT.c.built_at)).scalar_one()
    assert _total(finance_engine) == ds.AGEING_TOTAL
    with finance_engine.connect() as conn:
        assert conn.execute(select(SNAPSHOT.c.built_at)).scalar_one() == first
        report = contract_execution(
            conn, ds.sql_for(finance_engine), ds.TODAY + timedelta(days=200)
        )
        fingerprint = conn.execute(select(SNAPSHOT.c.fingerprint)).scalar_one()
    assert fingerprint.startswith((ds.TODAY + timedelta(days=200)).isoformat())
    # by 2026-10-02 K1 M3, K2 M5, K3 Q2 and Q3, K5 MB are all late: four contracts
    assert report.flag_counts["milestone_overdue"] == 4
    assert datetime.now(UTC) > first


def test_refresh_job(finance_sqlite: Engine, tmp_path: Path) -> None:
    settings = Settings(database_url=str(finance_sqlite.url), data_dir=tmp_path)
    assert refresh_figures(settings, finance_sqlite) is True
    assert refresh_figures(settings, finance_sqlite) is False
