"""Every finance figure checked to the cent against the hand-computed data set."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import finance_dataset as ds
from finance_dataset import SHANGHAI
from sqlalchemy import Engine

from hub.finance.ageing import BUCKETS, ageing_by_customer, open_invoice_list
from hub.finance.contracts import FLAGS, contract_execution
from hub.finance.forecast import cash_forecast
from hub.finance.milestones import milestone_lines
from hub.finance.revenue import revenue_report
from hub.finance.sql import Sql

ZERO = Decimal("0.00")


def _sql(engine: Engine) -> Sql:
    return Sql(engine.dialect.name, SHANGHAI)


def test_ageing_buckets_tie_to_open_balances(finance_engine: Engine) -> None:
    with finance_engine.connect() as conn:
        report = ageing_by_customer(conn, ds.TODAY)
        invoices, matches = open_invoice_list(conn, ds.TODAY, limit=1000)
    assert report.totals == ds.AGEING_TOTALS
    assert report.total == ds.AGEING_TOTAL == sum(report.totals.values())
    assert sum(i.balance for i in invoices) == ds.AGEING_TOTAL
    assert matches == len(invoices) == 6
    assert report.customers == 3
    assert report.invoices == 6
    by_customer = {row.customer_id: row for row in report.rows}
    for customer, expected in ds.AGEING_BY_CUSTOMER.items():
        row = by_customer[customer]
        assert row.total == expected["total"]
        for bucket in BUCKETS:
            assert row.buckets[bucket] == expected.get(bucket, ZERO), (customer, bucket)
    assert [r.customer_id for r in report.rows] == ["C1", "C2", "C3"]  # largest first


def test_ageing_drill_down(finance_engine: Engine) -> None:
    with finance_engine.connect() as conn:
        over_90, n = open_invoice_list(conn, ds.TODAY, bucket="over_90")
        c2, _ = open_invoice_list(conn, ds.TODAY, customer_id="C2")
        everything, _ = open_invoice_list(conn, ds.TODAY)
    assert n == 1
    assert over_90[0].number == "FP2025000001"
    assert over_90[0].days_past_due == 94
    assert over_90[0].balance == Decimal("21800.00")
    assert {i.number: i.balance for i in c2} == {
        "FP2026000002": Decimal("19999.45"),
        "FP2026000003": Decimal("10600.00"),
    }
    i5 = next(i for i in everything if i.id == "I5")
    assert i5.due_date == date(2026, 3, 10)
    assert i5.bucket == "d1_30"


def test_ageing_paging_keeps_totals(finance_engine: Engine) -> None:
    with finance_engine.connect() as conn:
        second = ageing_by_customer(conn, ds.TODAY, limit=1, offset=1)
        past_end = ageing_by_customer(conn, ds.TODAY, limit=10, offset=10)
        search = ageing_by_customer(conn, ds.TODAY, search="数信")
    assert [r.customer_id for r in second.rows] == ["C2"]
    assert second.total == past_end.total == ds.AGEING_TOTAL
    assert past_end.rows == []
    assert past_end.customers == 3
    assert [r.customer_id for r in search.rows] == ["C2"]
    assert search.total == Decimal("30599.45")


def test_revenue_recognised_invoiced_collected(finance_engine: Engine) -> None:
    with finance_engine.connect() as conn:
        report = revenue_report(conn, SHANGHAI, ds.TODAY, first=date(2025, 10, 1), last=ds.TODAY)
    assert report.months == ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    for month in report.months:
        for ctype in report.types:
            cell = report.cell(month, ctype)
            assert cell.recognised == ds.REVENUE_RECOGNISED.get((month, ctype), ZERO), (
                month,
                ctype,
            )
            assert cell.invoiced == ds.REVENUE_INVOICED.get((month, ctype), ZERO), (month, ctype)
            assert cell.collected == ds.REVENUE_COLLECTED.get((month, ctype), ZERO), (month, ctype)
    assert report.total().recognised == sum(ds.REVENUE_RECOGNISED.values())
    assert "unassigned" in report.types


def test_operations_revenue_adds_up_to_the_contract_amount(finance_engine: Engine) -> None:
    with finance_engine.connect() as conn:
        report = revenue_report(
            conn, SHANGHAI, date(2027, 1, 5), first=date(2026, 1, 1), last=date(2026, 12, 31)
        )
    months = [report.cell(m, "operations_service").recognised for m in report.months]
    assert sum(months) == Decimal("120000.00")
    assert months[0] == Decimal("10191.78")
    assert months[1] == Decimal("9205.48")


def test_cash_flow_forecast(finance_engine: Engine) -> None:
    with finance_engine.connect() as conn:
        forecast = cash_forecast(conn, _sql(finance_engine), ds.TODAY, payment_days=30)
    assert {m.key: m.total for m in forecast.months} == ds.FORECAST_MONTHS
    assert forecast.overdue_invoices == ds.FORECAST_OVERDUE
    assert forecast.beyond_horizon == ds.FORECAST_BEYOND
    weeks = {w.key: w.total for w in forecast.weeks if w.total}
    assert weeks == ds.FORECAST_WEEKS
    assert sum(w.total for w in forecast.weeks) == forecast.total
    assert forecast.months[0].invoices == Decimal("97259.45")
    assert forecast.months[1].milestones == Decimal("80204.02")
    assert forecast.horizon_end == date(2026, 8, 31)
    assert forecast.assumptions


def test_contract_execution_and_flags(finance_engine: Engine) -> None:
    with finance_engine.connect() as conn:
        report = contract_execution(conn, _sql(finance_engine), ds.TODAY, limit=100)
        dni = contract_execution(
            conn, _sql(finance_engine), ds.TODAY, flag="delivered_not_invoiced"
        )
    got = {
        line.id: (
            line.delivered,
            line.invoiced_net,
            line.invoiced_gross,
            line.collected,
            line.open_balance,
            line.flags,
        )
        for line in report.rows
    }
    assert got == ds.EXECUTION
    assert report.flag_counts == {f: sum(f in e[5] for e in ds.EXECUTION.values()) for f in FLAGS}
    assert [line.id for line in dni.rows] == ["K1", "K5"]
    assert dni.matches == 2
    assert dni.flag_counts == report.flag_counts
    k5 = next(line for line in report.rows if line.id == "K5")
    assert k5.not_invoiced == Decimal("5664.17")
    assert k5.amount == Decimal("80000.50")


def test_milestone_allocation(finance_engine: Engine) -> None:
    with finance_engine.connect() as conn:
        lines = milestone_lines(conn, _sql(finance_engine), ds.TODAY, ["K1", "K2", "K5"])
    by_id = {m.id: m for m in lines}
    assert by_id["M1"].invoiced == Decimal("30000.00")
    assert by_id["M2"].delivered_not_invoiced == Decimal("40000.00")
    assert by_id["M3"].overdue
    assert not by_id["M5"].overdue
    assert (by_id["M5"].invoiced, by_id["M5"].uninvoiced) == (
        Decimal("10000.00"),
        Decimal("15000.00"),
    )
    assert by_id["MB"].value == Decimal("53336.33")
    assert by_id["MA"].delivered_not_invoiced == Decimal("5664.17")
