"""The BI views agree with the finance figures, on SQLite and PostgreSQL, and downgrade cleanly."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import finance_dataset as ds
from finance_dataset import SHANGHAI, sql_for
from sqlalchemy import Engine, inspect, text

from hub.finance.ageing import ageing_by_customer
from hub.finance.contracts import FLAGS, contract_execution
from hub.finance.sql import business_today
from hub.store.migrate import alembic_config

VIEW_BUCKETS = {
    "not_due": "not_due",
    "1-30": "d1_30",
    "31-60": "d31_60",
    "61-90": "d61_90",
    "over_90": "over_90",
}


def _dec(value: Any) -> Decimal:
    """A view's money column (NUMERIC on PostgreSQL, REAL on SQLite) to the cent."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _rows(engine: Engine, sql: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(sql)).mappings()]


def test_v_ar_ageing_ties_to_the_ageing_report(finance_engine: Engine) -> None:
    today = business_today(SHANGHAI)
    rows = _rows(finance_engine, "SELECT * FROM v_ar_ageing")
    assert sum(_dec(r["open_balance"]) for r in rows) == ds.AGEING_TOTAL
    by_bucket: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        by_bucket[VIEW_BUCKETS[r["bucket"]]] += _dec(r["open_balance"])
        assert _dec(r["gross"]) + _dec(r["reversed"]) - _dec(r["paid"]) == _dec(r["open_balance"])
    with finance_engine.connect() as conn:
        report = ageing_by_customer(conn, today)
    assert {k: v for k, v in report.totals.items() if v} == dict(by_bucket)
    i1 = next(r for r in rows if r["invoice_number"] == "FP2025000001")
    assert i1["days_past_due"] == (today - ds.date(2025, 12, 12)).days
    assert i1["customer_name"] == "杭州云链信息科技有限公司"


def test_v_contract_execution_matches_the_report(finance_engine: Engine) -> None:
    today = business_today(SHANGHAI)
    rows = {
        r["contract_id"]: r for r in _rows(finance_engine, "SELECT * FROM v_contract_execution")
    }
    with finance_engine.connect() as conn:
        report = contract_execution(conn, sql_for(finance_engine), today, limit=100)
    assert set(rows) == set(ds.EXECUTION)
    for line in report.rows:
        r = rows[line.id]
        delivered, net, gross, collected, open_, _flags = ds.EXECUTION[line.id]
        assert (_dec(r["delivered"]), _dec(r["invoiced_net"]), _dec(r["invoiced_gross"])) == (
            delivered,
            net,
            gross,
        )
        assert (_dec(r["collected"]), _dec(r["open_balance"])) == (collected, open_)
        assert tuple(f for f in FLAGS if r[f"flag_{f}"]) == line.flags
    assert _dec(rows["K5"]["contract_amount"]) == Decimal("80000.50")


def test_v_customer_360(finance_engine: Engine) -> None:
    rows = {r["customer_id"]: r for r in _rows(finance_engine, "SELECT * FROM v_customer_360")}
    for customer, expected in ds.AGEING_BY_CUSTOMER.items():
        assert _dec(rows[customer]["open_balance"]) == expected["total"]
    assert rows["C1"]["systems"] == "crm, erp"
    assert rows["C3"]["systems"] == "erp"
    assert rows["C2"]["contracts"] == 2
    assert _dec(rows["C2"]["collected"]) == Decimal("39300.55")
    assert str(rows["C2"]["last_payment_on"])[:10] == "2026-03-02"


def test_v_reconciliation(finance_engine: Engine) -> None:
    rows = _rows(finance_engine, "SELECT * FROM v_reconciliation WHERE result <> 'ok'")
    got = {(r["entity"], r["hub_id"], r["result"]) for r in rows}
    assert got == {
        ("customer", "C3", "missing_in_a"),
        ("contract", "K2", "status"),
        ("invoice", "I3", "missing_in_a"),
        ("invoice", "I10", "amount"),
        ("payment", "P4", "missing_in_a"),
    }
    i10 = next(r for r in rows if r["hub_id"] == "I10")
    assert (i10["tax_wrong_a"], i10["tax_wrong_b"]) == (0, 1)
    assert (_dec(i10["amount_a"]), _dec(i10["amount_b"])) == (
        Decimal("1060.00"),
        Decimal("1061.00"),
    )
    assert i10["customer_id"] == "C3"
    assert i10["last_run_b"] == ds.RUN_ERP
    total = _rows(finance_engine, "SELECT COUNT(*) AS n FROM v_reconciliation")[0]["n"]
    assert total == 3 + 5 + 10 + 4  # records linked in either system, per entity pair


def test_views_drop_on_downgrade(finance_engine: Engine) -> None:
    from alembic import command

    command.downgrade(alembic_config(finance_engine), "finance@0002")
    names = set(inspect(finance_engine).get_view_names())
    assert not names & {"v_ar_ageing", "v_customer_360", "v_contract_execution", "v_reconciliation"}
    command.upgrade(alembic_config(finance_engine), "heads")
    assert {"v_ar_ageing", "v_reconciliation"} <= set(inspect(finance_engine).get_view_names())
