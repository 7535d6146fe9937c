"""Customer 360: search across systems and the one-page view, against the data set."""

from __future__ import annotations

from decimal import Decimal

import finance_dataset as ds
from finance_dataset import sql_for
from sqlalchemy import Engine, update

from hub.finance.customer360 import customer_detail, search_customers
from hub.finance.reconcile_runs import run_reconciliation
from hub.finance.sql import LINK
from hub.settings import Settings

SETTINGS = Settings(
    connectors={"crm": {"type": "zoho-crm"}, "erp": {"type": "kingdee"}},
    finance={"record_links": {"crm": "https://crm.example.cn/tab/{stream}/{remote_id}"}},
)


def test_search_by_any_system_spelling(finance_engine: Engine) -> None:
    with finance_engine.begin() as conn:
        conn.execute(
            update(LINK)
            .where(LINK.c.hub_id == "C2", LINK.c.connector == "erp")
            .values(values={"name": "数信（深圳）供应链管理有限公司"}, remote_key="K-0002")
        )
    sql = sql_for(finance_engine)
    with finance_engine.connect() as conn:
        assert [h.id for h in search_customers(conn, sql, "云链")] == ["C1"]
        assert [h.id for h in search_customers(conn, sql, "91440300708461136t")] == ["C2"]
        assert [h.id for h in search_customers(conn, sql, "数信（深圳）")] == ["C2"]  # ERP's name
        assert [h.id for h in search_customers(conn, sql, "k-0002")] == ["C2"]  # its number there
        assert [h.id for h in search_customers(conn, sql, "erp-C3")] == ["C3"]  # remote id
        assert [h.id for h in search_customers(conn, sql, "CUST-00")] == ["C3", "C1", "C2"]
        hits = {h.id: h for h in search_customers(conn, sql, "")}
    assert hits["C1"].open_balance == Decimal("44400.00")
    assert hits["C3"].systems == ("erp",)
    assert hits["C1"].systems == ("crm", "erp")


def test_one_page_of_everything(finance_engine: Engine) -> None:
    run_reconciliation(finance_engine, sql_for(finance_engine).zone)
    with finance_engine.connect() as conn:
        view = customer_detail(conn, sql_for(finance_engine), SETTINGS, ds.TODAY, "C1")
        missing = customer_detail(conn, sql_for(finance_engine), SETTINGS, ds.TODAY, "nope")
    assert missing is None
    assert view is not None
    assert view.open_balance == Decimal("44400.00")
    assert view.overdue_balance == Decimal("44400.00")
    fields = {f.name: f for f in view.master}
    assert fields["name"].source == "crm"
    assert fields["tax_id"].source == "erp"
    assert [(link.connector, link.connector_type) for link in view.links] == [
        ("crm", "zoho-crm"),
        ("erp", "kingdee"),
    ]
    assert view.links[0].url == "https://crm.example.cn/tab/accounts/crm-C1"
    assert view.links[1].url is None
    assert [c.id for c in view.contracts] == ["K1", "K4"]
    assert [m.id for m in view.milestones] == ["M1", "M2", "M3", "L1"]
    assert [link.remote_id for link in view.milestone_links["M2"]] == ["crm-M2"]
    invoices = {i.number: i for i in view.invoices}
    assert invoices["FP2025000001"].balance == Decimal("21800.00")
    assert invoices["FP2025000001"].bucket == "over_90"
    assert invoices["FP2026000006"].balance == Decimal("0.00")  # reversed by I7
    assert invoices["FP2026000007"].balance == Decimal("0.00")  # the reversal itself
    assert view.total_paid == Decimal("10000.00")
    assert view.mismatches == []
    with finance_engine.connect() as conn:
        c3 = customer_detail(conn, sql_for(finance_engine), SETTINGS, ds.TODAY, "C3")
    assert c3 is not None
    assert {(m.hub_id, m.kind) for m in c3.mismatches} == {
        ("C3", "missing"),
        ("I10", "amount"),
        ("I10", "tax"),
    }
