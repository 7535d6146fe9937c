"""A small, hand-computed finance data set: every expected figure below was worked out by hand.

Business date: Monday 2026-03-16 (Asia/Shanghai). Three customers, five contracts
(one of each type, plus a second development contract), milestones by amount and
by percent (one with a half-cent to round), invoices in every ageing bucket, a
partial payment, a red-letter reversal, a void invoice, an unallocated payment,
and two connector instances (``crm``, ``erp``) whose link values disagree in six
known ways.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert

from hub.finance.sql import CONTRACT, CUSTOMER, INVOICE, LINK, MILESTONE, PAYMENT, Sql
from hub.store import upgrade
from hub.sync.values import json_values

TODAY = date(2026, 3, 16)
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
RUN_CRM = "run-crm-0001"
RUN_ERP = "run-erp-0001"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


CUSTOMERS = [
    {
        "id": "C1",
        "number": "CUST-001",
        "name": "杭州云链信息科技有限公司",
        "tax_id": "91350100M000100Y43",
    },
    {
        "id": "C2",
        "number": "CUST-002",
        "name": "深圳数信供应链管理有限公司",
        "tax_id": "91440300708461136T",
    },
    {"id": "C3", "number": "CUST-003", "name": "北京链融数据服务有限公司", "tax_id": None},
]
CONTRACTS = [
    # id, customer, type, amount, tax rate, start, end, status
    (
        "K1",
        "C1",
        "technical_development",
        "100000.00",
        "0.06",
        "2025-10-01",
        "2026-02-28",
        "active",
    ),
    ("K2", "C2", "technical_consulting", "50000.00", "0.06", "2026-01-01", "2026-06-30", "active"),
    ("K3", "C2", "operations_service", "120000.00", "0.06", "2026-01-01", "2026-12-31", "active"),
    ("K4", "C1", "product_licence", "20000.00", "0.13", "2026-03-01", "2027-02-28", "active"),
    ("K5", "C3", "technical_development", "80000.50", "0.06", "2025-11-01", "2026-06-30", "active"),
]
MILESTONES = [
    # id, contract, seq, name, amount, percent, due, status, accepted_at (UTC)
    ("M1", "K1", 1, "需求确认", None, "30", "2025-11-01", "accepted", "2025-11-10T02:00:00+00:00"),
    (
        "M2",
        "K1",
        2,
        "系统开发",
        "40000.00",
        None,
        "2026-01-31",
        "accepted",
        "2026-01-31T20:00:00+00:00",
    ),
    ("M3", "K1", 3, "上线验收", None, "30", "2026-02-28", "in_progress", None),
    ("M4", "K2", 1, "调研报告", None, "50", "2026-01-15", "accepted", "2026-01-20T03:00:00+00:00"),
    ("M5", "K2", 2, "方案交付", None, "50", "2026-04-30", "planned", None),
    (
        "Q1",
        "K3",
        1,
        "第一季度",
        "30000.00",
        None,
        "2026-03-31",
        "accepted",
        "2026-03-10T03:00:00+00:00",
    ),
    ("Q2", "K3", 2, "第二季度", "30000.00", None, "2026-06-30", "planned", None),
    ("Q3", "K3", 3, "第三季度", "30000.00", None, "2026-09-30", "planned", None),
    ("L1", "K4", 1, "许可交付", None, "100", "2026-03-10", "delivered", None),
    (
        "MA",
        "K5",
        1,
        "需求确认",
        None,
        "33.33",
        "2025-12-15",
        "accepted",
        "2025-12-20T04:00:00+00:00",
    ),
    ("MB", "K5", 2, "上线验收", None, "66.67", "2026-05-31", "planned", None),
]
INVOICES = [
    # id, number, contract, customer, issue, due, net, tax, gross, rate, status, reverses
    (
        "I1",
        "FP2025000001",
        "K1",
        "C1",
        "2025-11-12",
        "2025-12-12",
        "30000.00",
        "1800.00",
        "31800.00",
        "0.06",
        "partially_paid",
        None,
    ),
    (
        "I2",
        "FP2026000002",
        "K2",
        "C2",
        "2026-01-22",
        "2026-02-21",
        "25000.00",
        "1500.00",
        "26500.00",
        "0.06",
        "partially_paid",
        None,
    ),
    (
        "I3",
        "FP2026000003",
        "K2",
        "C2",
        "2026-03-01",
        "2026-03-31",
        "10000.00",
        "600.00",
        "10600.00",
        "0.06",
        "issued",
        None,
    ),
    (
        "I4",
        "FP2026000004",
        "K3",
        "C2",
        "2026-01-05",
        "2026-02-04",
        "30000.00",
        "1800.00",
        "31800.00",
        "0.06",
        "paid",
        None,
    ),
    (
        "I5",
        "FP2026000005",
        "K4",
        "C1",
        "2026-03-10",
        None,
        "20000.00",
        "2600.00",
        "22600.00",
        "0.13",
        "issued",
        None,
    ),
    (
        "I6",
        "FP2026000006",
        "K4",
        "C1",
        "2026-02-01",
        "2026-03-03",
        "5000.00",
        "650.00",
        "5650.00",
        "0.13",
        "issued",
        None,
    ),
    (
        "I7",
        "FP2026000007",
        "K4",
        "C1",
        "2026-02-15",
        "2026-02-15",
        "-5000.00",
        "-650.00",
        "-5650.00",
        "0.13",
        "issued",
        "I6",
    ),
    (
        "I8",
        "FP2026000008",
        "K2",
        "C2",
        "2026-02-20",
        "2026-03-22",
        "9433.95",
        "566.04",
        "9999.99",
        "0.06",
        "void",
        None,
    ),
    (
        "I9",
        "FP2025000009",
        "K5",
        "C3",
        "2025-12-25",
        "2026-01-14",
        "20000.00",
        "1200.00",
        "21200.00",
        "0.06",
        "issued",
        None,
    ),
    (
        "I10",
        "FP2026000010",
        "K5",
        "C3",
        "2026-01-10",
        "2026-02-09",
        "1000.00",
        "60.00",
        "1060.00",
        "0.06",
        "issued",
        None,
    ),
]
PAYMENTS = [
    # id, number, customer, invoice, amount, received
    ("P1", "SK2026000001", "C1", "I1", "10000.00", "2026-01-05"),
    ("P2", "SK2026000002", "C2", "I2", "6500.55", "2026-02-10"),
    ("P3", "SK2026000003", "C2", "I4", "31800.00", "2026-02-10"),
    ("P4", "SK2026000004", "C2", None, "1000.00", "2026-03-02"),
]

# -- expected figures (hand-computed) -------------------------------------------------

AGEING_TOTALS = {
    "not_due": D("10600.00"),  # I3
    "d1_30": D("42599.45"),  # I5 22,600.00 (due = issue 03-10, 6 days) + I2 19,999.45 (23 days)
    "d31_60": D("1060.00"),  # I10 (35 days)
    "d61_90": D("21200.00"),  # I9 (61 days)
    "over_90": D("21800.00"),  # I1 31,800 - 10,000 paid (94 days)
}
AGEING_TOTAL = D("97259.45")
AGEING_BY_CUSTOMER = {
    "C1": {"total": D("44400.00"), "d1_30": D("22600.00"), "over_90": D("21800.00")},
    "C2": {"total": D("30599.45"), "not_due": D("10600.00"), "d1_30": D("19999.45")},
    "C3": {"total": D("22260.00"), "d31_60": D("1060.00"), "d61_90": D("21200.00")},
}
REVENUE_RECOGNISED = {
    ("2025-11", "technical_development"): D("30000.00"),  # M1 30 % of 100,000
    ("2025-12", "technical_development"): D("26664.17"),  # MA 33.33 % of 80,000.50 = 26,664.16665
    ("2026-01", "technical_consulting"): D("25000.00"),  # M4
    ("2026-02", "technical_development"): D(
        "40000.00"
    ),  # M2, 2026-01-31 20:00 UTC = 02-01 Shanghai
    ("2026-01", "operations_service"): D("10191.78"),  # 120,000 x 31/365
    ("2026-02", "operations_service"): D("9205.48"),  # x 59/365 - Jan
    ("2026-03", "operations_service"): D("5260.27"),  # x 75/365 - Feb (through today)
}
REVENUE_INVOICED = {
    ("2025-11", "technical_development"): D("30000.00"),
    ("2025-12", "technical_development"): D("20000.00"),
    ("2026-01", "technical_consulting"): D("25000.00"),
    ("2026-01", "operations_service"): D("30000.00"),
    ("2026-01", "technical_development"): D("1000.00"),
    ("2026-02", "product_licence"): D("0.00"),  # I6 and its reversal I7
    ("2026-03", "technical_consulting"): D("10000.00"),
    ("2026-03", "product_licence"): D("20000.00"),
}
REVENUE_COLLECTED = {
    ("2026-01", "technical_development"): D("10000.00"),
    ("2026-02", "technical_consulting"): D("6500.55"),
    ("2026-02", "operations_service"): D("31800.00"),
    ("2026-03", "unassigned"): D("1000.00"),
}
FORECAST_MONTHS = {
    "2026-03": D("97259.45"),  # overdue 86,659.45 today + I3 10,600.00 on 03-31
    "2026-04": D("80204.02"),  # 04-15: K1 M2 42,400.00 + K1 M3 31,800.00 + K5 MA 6,004.02
    "2026-05": D("15900.00"),  # 05-30: K2 M5 15,000.00 uninvoiced + 6 %
    "2026-06": D("56536.51"),  # 06-30: K5 MB 53,336.33 + 3,200.18
    "2026-07": D("31800.00"),  # 07-30: K3 Q2
    "2026-08": D("0.00"),
}
FORECAST_OVERDUE = D("86659.45")
FORECAST_BEYOND = D("31800.00")  # K3 Q3 expected 2026-10-30
FORECAST_WEEKS = {
    "2026-W12": D("86659.45"),
    "2026-W14": D("10600.00"),
    "2026-W16": D("80204.02"),
    "2026-W22": D("15900.00"),
    "2026-W27": D("56536.51"),
    "2026-W31": D("31800.00"),
}
EXECUTION = {
    # contract: delivered, invoiced net, invoiced gross, collected, open, flags
    "K1": (
        D("70000.00"),
        D("30000.00"),
        D("31800.00"),
        D("10000.00"),
        D("21800.00"),
        ("delivered_not_invoiced", "milestone_overdue", "past_end_open"),
    ),
    "K2": (
        D("25000.00"),
        D("35000.00"),
        D("37100.00"),
        D("6500.55"),
        D("30599.45"),
        ("invoiced_ahead",),
    ),
    "K3": (D("30000.00"), D("30000.00"), D("31800.00"), D("31800.00"), D("0.00"), ()),
    "K4": (D("0.00"), D("20000.00"), D("22600.00"), D("0.00"), D("22600.00"), ("invoiced_ahead",)),
    "K5": (
        D("26664.17"),
        D("21000.00"),
        D("22260.00"),
        D("0.00"),
        D("22260.00"),
        ("delivered_not_invoiced",),
    ),
}
MISMATCHES = {
    ("customer", "C3", "missing"),
    ("contract", "K2", "status"),
    ("invoice", "I3", "missing"),
    ("invoice", "I10", "amount"),
    ("invoice", "I10", "tax"),
    ("payment", "P4", "missing"),
}
RECON_INVOICE_TOTALS = {"crm": (9, D("144959.99")), "erp": (10, D("155560.99"))}


def _tracked(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
        "provenance": row.pop("provenance", {}),
        "extra": {},
        **row,
    }


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def rows() -> dict[str, list[dict[str, Any]]]:
    """The entity rows, keyed by table."""
    customers = [
        _tracked(
            {
                **c,
                "status": "active",
                "provenance": {"name": ["crm", RUN_CRM], "tax_id": ["erp", RUN_ERP]},
            }
        )
        for c in CUSTOMERS
    ]
    contracts = [
        _tracked(
            {
                "id": k,
                "number": f"HT2026{k}",
                "customer_id": cust,
                "title": f"合同 {k}",
                "type": ctype,
                "amount": D(amount),
                "currency": "CNY",
                "tax_rate": D(rate),
                "tax_exempt": False,
                "start_date": _d(start),
                "end_date": _d(end),
                "sign_date": _d(start),
                "status": status,
            }
        )
        for k, cust, ctype, amount, rate, start, end, status in CONTRACTS
    ]
    milestones = [
        _tracked(
            {
                "id": m,
                "contract_id": k,
                "sequence": seq,
                "name": name,
                "amount": D(amount) if amount else None,
                "percent": D(pct) if pct else None,
                "due_date": _d(due),
                "status": status,
                "accepted_at": _at(acc) if acc else None,
                "project_item": f"PRJ-{m}",
            }
        )
        for m, k, seq, name, amount, pct, due, status, acc in MILESTONES
    ]
    invoices = [
        _tracked(
            {
                "id": i,
                "number": number,
                "contract_id": k,
                "customer_id": cust,
                "kind": "vat_special",
                "e_invoice": True,
                "issue_date": _d(issue),
                "due_date": _d(due),
                "net": D(net),
                "tax": D(tax),
                "gross": D(gross),
                "tax_rate": D(rate),
                "currency": "CNY",
                "status": status,
                "reverses_id": rev,
            }
        )
        for i, number, k, cust, issue, due, net, tax, gross, rate, status, rev in INVOICES
    ]
    payments = [
        _tracked(
            {
                "id": p,
                "number": number,
                "customer_id": cust,
                "invoice_id": inv,
                "amount": D(amount),
                "currency": "CNY",
                "received_on": _d(received),
                "method": "bank_transfer",
            }
        )
        for p, number, cust, inv, amount, received in PAYMENTS
    ]
    return {
        "customer": customers,
        "contract": contracts,
        "milestone": milestones,
        "invoice": invoices,
        "payment": payments,
    }


_FIELDS = {
    "customer": ("number", "name", "tax_id", "status"),
    "contract": ("number", "customer_id", "type", "amount", "tax_rate", "status"),
    "invoice": ("number", "customer_id", "net", "tax", "gross", "tax_rate", "status"),
    "payment": ("number", "customer_id", "invoice_id", "amount"),
    "milestone": ("name", "amount", "percent", "status"),
}
_STREAMS = {
    "crm": {
        "customer": "accounts",
        "contract": "contracts",
        "invoice": "invoices",
        "payment": "payments",
        "milestone": "contract_milestones",
    },
    "erp": {
        "customer": "customers",
        "contract": "contracts",
        "invoice": "invoices",
        "payment": "payments",
    },
}
_NOT_IN_CRM = {"I3", "P4", "C3"}


def links(entity_rows: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each system's links, with the six deliberate differences of ``MISMATCHES``."""
    result = []
    for connector, streams in _STREAMS.items():
        run = RUN_CRM if connector == "crm" else RUN_ERP
        for entity, stream in streams.items():
            for row in entity_rows[entity]:
                if connector == "crm" and row["id"] in _NOT_IN_CRM:
                    continue
                values = json_values({f: row[f] for f in _FIELDS[entity]})
                if connector == "crm" and row["id"] == "K2":
                    values["status"] = "completed"
                if connector == "erp" and row["id"] == "I10":
                    values.update({"tax": "61", "gross": "1061"})
                result.append(
                    {
                        "entity": entity,
                        "hub_id": row["id"],
                        "connector": connector,
                        "stream": stream,
                        "remote_id": f"{connector}-{row['id']}",
                        "remote_key": row.get("number"),
                        "hash": None,
                        "remote_version": None,
                        "values": values,
                        "raw": {"id": f"{connector}-{row['id']}"},
                        "last_run_id": run,
                        "updated_at": NOW,
                    }
                )
    return result


def load(engine: Engine) -> None:
    """Create the schema on ``engine`` and insert the data set."""
    upgrade(engine)
    data = rows()
    tables = {
        "customer": CUSTOMER,
        "contract": CONTRACT,
        "milestone": MILESTONE,
        "invoice": INVOICE,
        "payment": PAYMENT,
    }
    with engine.begin() as conn:
        for name, table in tables.items():
            conn.execute(insert(table), data[name])
        conn.execute(insert(LINK), links(data))


def sql_for(engine: Engine) -> Sql:
    """The dialect helper for ``engine`` in the business zone."""
    return Sql(engine.dialect.name, SHANGHAI)
