"""Reconciliation between the two linked systems of the data set: every seeded mismatch, nothing else."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import finance_dataset as ds
from finance_dataset import SHANGHAI, sql_for
from sqlalchemy import Engine, update

from hub.finance.fields import field_rules
from hub.finance.reconcile import reconcile, system_pairs
from hub.finance.reconcile_runs import latest_run, run_reconciliation, stored_mismatches
from hub.finance.sql import LINK
from hub.settings import Settings


def test_pairs_come_from_the_links(finance_engine: Engine) -> None:
    with finance_engine.connect() as conn:
        pairs = system_pairs(conn)
    # milestones live in the CRM only: no pair to compare
    assert pairs == {e: [("crm", "erp")] for e in ("customer", "contract", "invoice", "payment")}


def test_every_seeded_mismatch_and_nothing_else(finance_engine: Engine) -> None:
    with finance_engine.connect() as conn:
        result = reconcile(conn, sql_for(finance_engine))
    assert {(m.entity, m.hub_id, m.kind) for m in result.mismatches} == ds.MISMATCHES
    by_key = {(m.hub_id, m.kind): m for m in result.mismatches}
    amount = by_key[("I10", "amount")]
    assert (amount.value_a, amount.value_b) == ("1060.00", "1061.00")
    assert amount.last_run_a == ds.RUN_CRM
    assert amount.last_run_b == ds.RUN_ERP
    assert amount.label == "FP2026000010"
    assert amount.customer_id == "C3"
    tax = by_key[("I10", "tax")]
    assert tax.value_b == "61.00"
    assert tax.value_a is None
    assert "should be 60.00" in (tax.detail or "")
    status = by_key[("K2", "status")]
    assert (status.value_a, status.value_b) == ("completed", "active")
    missing = by_key[("I3", "missing")]
    assert missing.detail == "not in crm"
    assert missing.remote_b == "erp-I3"
    assert missing.remote_a is None
    assert by_key[("C3", "missing")].label == "北京链融数据服务有限公司"


def test_totals_per_entity_and_customer(finance_engine: Engine) -> None:
    with finance_engine.connect() as conn:
        result = reconcile(conn, sql_for(finance_engine))
    invoices = next(t for t in result.totals if t.entity == "invoice")
    assert (invoices.count_a, invoices.total_a) == ds.RECON_INVOICE_TOTALS["crm"]
    assert (invoices.count_b, invoices.total_b) == ds.RECON_INVOICE_TOTALS["erp"]
    customers = next(t for t in result.totals if t.entity == "customer")
    assert (customers.count_a, customers.count_b, customers.total_a) == (2, 3, None)
    contracts = next(t for t in result.totals if t.entity == "contract")
    assert contracts.matches
    assert contracts.total_a == Decimal("370000.50")
    differing = {(c.entity, c.customer_id): c for c in result.customers}
    assert set(differing) == {
        ("customer", "C3"),
        ("invoice", "C2"),
        ("invoice", "C3"),
        ("payment", "C2"),
    }
    c2 = differing[("invoice", "C2")]
    assert (c2.count_a, c2.count_b) == (3, 4)
    assert (c2.total_a, c2.total_b) == (Decimal("68299.99"), Decimal("78899.99"))
    c3 = differing[("invoice", "C3")]
    assert (c3.total_a, c3.total_b) == (Decimal("22260.00"), Decimal("22261.00"))


def test_stored_runs_and_a_clean_store(finance_engine: Engine) -> None:
    first = run_reconciliation(finance_engine, SHANGHAI, trigger="test")
    assert len(first.mismatches) == len(ds.MISMATCHES)
    with finance_engine.connect() as conn:
        stored = latest_run(conn)
        assert stored is not None
        assert stored.id == first.run_id
        assert stored.mismatches == 6
        assert stored.by_kind == {
            "missing": 3,
            "amount": 1,
            "status": 1,
            "tax": 1,
        }
        invoice_totals = next(t for t in stored.totals if t.entity == "invoice")
        assert invoice_totals.total_b == ds.RECON_INVOICE_TOTALS["erp"][1]
        items, n = stored_mismatches(conn, stored.id, kind="missing")
        assert n == 3
        assert {i.hub_id for i in items} == {"C3", "I3", "P4"}
        c3_items, _ = stored_mismatches(conn, stored.id, customer_id="C3")
        assert {(i.hub_id, i.kind) for i in c3_items} == {
            ("C3", "missing"),
            ("I10", "amount"),
            ("I10", "tax"),
        }
    _fix_everything(finance_engine)
    second = run_reconciliation(finance_engine, SHANGHAI)
    assert second.ok
    assert second.customers == []
    with finance_engine.connect() as conn:
        assert latest_run(conn).mismatches == 0  # type: ignore[union-attr]


def _fix_everything(engine: Engine) -> None:
    """Make the CRM's copies agree with the finance system's, as a sync would."""
    with engine.begin() as conn:
        erp_rows = conn.execute(LINK.select().where(LINK.c.connector == "erp")).mappings().all()
        conn.execute(LINK.delete().where(LINK.c.connector == "crm", LINK.c.entity != "milestone"))
        conn.execute(
            LINK.insert(),
            [
                {
                    **{k: v for k, v in r.items() if k != "id"},
                    "connector": "crm",
                    "remote_id": "crm-" + r["hub_id"],
                }
                for r in erp_rows
            ],
        )
        fixed = {
            "net": "1000",
            "tax": "60",
            "gross": "1060",
            "tax_rate": "0.06",
            "number": "FP2026000010",
            "customer_id": "C3",
            "status": "issued",
        }
        conn.execute(update(LINK).where(LINK.c.hub_id == "I10").values(values=fixed))


def _demo_like_settings() -> Settings:
    """crm (Zoho) and erp (Kingdee) bound as in the demo, with the repository's mappings."""
    bindings = [
        ("crm", "accounts", "both"),
        ("erp", "customers", "both"),
        ("crm", "contracts", "both"),
        ("erp", "contracts", "both"),
        ("crm", "contract_milestones", "both"),
        ("erp", "invoices", "in"),
        ("crm", "invoices", "out"),
        ("erp", "payments", "in"),
        ("crm", "payments", "out"),
    ]
    return Settings(
        mappings_dir=Path(__file__).resolve().parents[3] / "mappings",
        connectors={"crm": {"type": "zoho-crm"}, "erp": {"type": "kingdee"}},
        pipelines={
            "crm-erp": {
                "streams": [{"connector": c, "stream": s, "direction": d} for c, s, d in bindings]
            }
        },
    )


def test_field_rules_follow_the_mappings() -> None:
    rules = field_rules(_demo_like_settings())
    # Kingdee's sales-order status is its approval state, read in only, and the CRM owns contracts
    assert not rules.comparable("contract", "crm", "erp", "status")
    assert rules.comparable("contract", "crm", "erp", "amount")
    # Kingdee owns the customer's forbid status, so a difference there is real
    assert rules.comparable("customer", "crm", "erp", "status")
    # invoices reach the CRM as net lines: the CRM's gross is Zoho's own sum, never written
    assert not rules.comparable("invoice", "crm", "erp", "gross")
    assert rules.comparable("invoice", "crm", "erp", "net")
    assert rules.comparable("invoice", "crm", "other", "net")  # unknown systems: compared


def test_reconcile_with_field_rules(finance_engine: Engine) -> None:
    rules = field_rules(_demo_like_settings())
    with finance_engine.connect() as conn:
        result = reconcile(conn, sql_for(finance_engine), rules)
    assert {(m.entity, m.hub_id, m.kind) for m in result.mismatches} == {
        ("customer", "C3", "missing"),
        ("invoice", "I3", "missing"),
        ("invoice", "I10", "tax"),
        ("payment", "P4", "missing"),
    }
    invoices = next(t for t in result.totals if t.entity == "invoice")
    assert invoices.field == "net"
    assert (invoices.total_a, invoices.total_b) == (Decimal("135433.95"), Decimal("145433.95"))
