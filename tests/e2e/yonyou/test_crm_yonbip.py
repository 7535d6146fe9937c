"""Issue 8 end to end: Zoho CRM <-> Yonyou YonBIP through the sync engine.

A customer made in the CRM reaches YonBIP; an invoice and a receipt entered in YonBIP
reach the CRM against the right contract and customer; a re-run writes nothing. A save
whose answer is lost after the vendor committed it (the sandbox commits, then drops the
connection) is retried without a duplicate in either system, also when every try of a
run is lost and the next run sends it again.
"""

from __future__ import annotations

import asyncio
import random

from e2e_support import Hub
from yonbip_user import YonBipUser, bip_writes

from connectors.sdk.cn import make_uscc
from connectors.yonyou_bip.sandbox import PATHS
from hub.demo.run import CRM, ERP, PIPELINE
from hub.sync.runner import run_pipeline

NEW_CUSTOMER = "/yonbip/digitalModel/merchant/idempotent/newinsert"
ZOHO_INVOICE_UPSERT = "/Invoices/upsert"
assert PATHS["customers"]["insert"][1] == NEW_CUSTOMER


def _merchants_with(hub: Hub, tax_id: str) -> list[str]:
    sandbox = hub.erp.sandbox
    return [
        rid
        for rid in sandbox.remote_ids("customers")
        if (sandbox.get_record("customers", rid) or {}).get("creditCode") == tax_id
    ]


def _zoho_invoices_titled(hub: Hub, subject: str) -> list[str]:
    sandbox = hub.crm.sandbox
    return [
        rid
        for rid in sandbox.remote_ids("invoices")
        if (sandbox.get_record("invoices", rid) or {}).get("Subject") == subject
    ]


def _new_account(hub: Hub, name: str, seed: int) -> str:
    tax_id = make_uscc(random.Random(seed), "310000")
    hub.zoho().create(
        "Accounts", {"Account_Name": name, "Tax_ID": tax_id, "Account_Type": "Customer"}
    )
    return tax_id


def _linked_order(hub: Hub) -> tuple[dict[str, str], str]:
    """A YonBIP sales order whose contract the CRM also holds, and that contract's CRM id."""
    for link in sorted(hub.links(ERP, "contract"), key=lambda x: str(x["remote_id"])):
        crm = hub.link(CRM, "contract", hub_id=link["hub_id"])
        if crm is not None:
            order = hub.erp.sandbox.get_record("sales_orders", link["remote_id"])
            assert order is not None
            return order, str(crm["remote_id"])
    raise AssertionError("no contract is linked in both systems")


def _quiet(hub: Hub) -> None:
    """Nothing created, updated or written anywhere by one more run."""
    writes = (hub.writes()[CRM], bip_writes(hub.erp))
    total = hub.run().total()
    assert (total.created, total.updated, total.pushed_created, total.pushed_updated) == (
        0,
        0,
        0,
        0,
    )
    assert (hub.writes()[CRM], bip_writes(hub.erp)) == writes


def test_customer_out_invoice_and_receipt_back_then_nothing_to_write(bip_hub: Hub) -> None:
    hub = bip_hub
    hub.run()
    hub.run()  # settle what the first sync wrote back
    tax_id = _new_account(hub, "上海链通供应链管理有限公司", 81)
    order, crm_contract = _linked_order(hub)
    clerk = YonBipUser(hub.erp)
    hub.clients.append(clerk.client)
    clerk.invoice("FP2099000101", order, net=10000, tax=600)
    customer = hub.erp.sandbox.get_record("customers", order["agentId"]) or {}
    clerk.receipt("SK2099000101", str(customer["code"]), "FP2099000101", 5300)

    hub.run()

    [merchant] = _merchants_with(hub, tax_id)
    record = hub.erp.sandbox.get_record("customers", merchant) or {}
    assert record["name"]["simplifiedName"] == "上海链通供应链管理有限公司"
    assert hub.link(ERP, "customer", remote_id=merchant) is not None
    zoho = hub.zoho()
    [invoice_id] = _zoho_invoices_titled(hub, "FP2099000101")
    invoice = zoho.get("Invoices", invoice_id)
    erp_customer = hub.link(ERP, "customer", remote_id=order["agentId"])
    assert erp_customer is not None
    crm_customer = hub.link(CRM, "customer", hub_id=erp_customer["hub_id"])
    assert crm_customer is not None
    assert invoice["Contract"]["id"] == crm_contract
    assert invoice["Account_Name"]["id"] == crm_customer["remote_id"]
    assert str(invoice["Grand_Total"]) in ("10600", "10600.0", "10600.00")
    payment_link = hub.link(ERP, "payment", remote_id=_receipt_id(hub, "SK2099000101"))
    assert payment_link is not None
    crm_payment = hub.link(CRM, "payment", hub_id=payment_link["hub_id"])
    assert crm_payment is not None
    payment = zoho.get("Payments", crm_payment["remote_id"])
    assert payment["Invoice"]["id"] == invoice_id
    assert payment["Account"]["id"] == crm_customer["remote_id"]
    assert str(payment["Amount"]) in ("5300", "5300.0", "5300.00")

    hub.run()  # the CRM's new invoice and payment are read back once
    _quiet(hub)


def test_lost_answers_after_commit_leave_one_record_in_each_system(bip_hub: Hub) -> None:
    hub = bip_hub
    hub.run()
    hub.run()
    bip, crm = hub.erp.sandbox, hub.crm.sandbox
    tax_id = _new_account(hub, "苏州链坊信息技术有限公司", 82)
    order, _ = _linked_order(hub)
    clerk = YonBipUser(hub.erp)
    hub.clients.append(clerk.client)
    clerk.invoice("FP2099000102", order, net=20000, tax=1200)
    sent = dict(bip.requests), dict(crm.requests)
    bip.faults.inject("reset", path=NEW_CUSTOMER)  # YonBIP saves, then the answer is lost
    crm.faults.inject("reset", path=ZOHO_INVOICE_UPSERT)  # and so does Zoho

    hub.run()

    assert len(_merchants_with(hub, tax_id)) == 1
    assert len(_zoho_invoices_titled(hub, "FP2099000102")) == 1
    assert _grew(bip.requests, sent[0], NEW_CUSTOMER) == 2  # the retry reached YonBIP
    assert _grew(crm.requests, sent[1], ZOHO_INVOICE_UPSERT) == 2  # and Zoho

    # Every try of a run lost: the run fails; the next run's save names the same record.
    lost = _new_account(hub, "无锡链桥科技有限公司", 83)
    bip.faults.inject("reset", times=6, path=NEW_CUSTOMER)
    failed = asyncio.run(run_pipeline(hub.settings, hub.demo.engine, PIPELINE))
    assert failed.error is not None
    [committed] = _merchants_with(hub, lost)  # saved by the first try, replayed to the others

    hub.run()

    assert _merchants_with(hub, lost) == [committed]
    assert hub.link(ERP, "customer", remote_id=committed) is not None
    hub.run()
    _quiet(hub)


def _grew(now: dict[tuple[str, str], int], before: dict[tuple[str, str], int], word: str) -> int:
    return sum(n - before.get(key, 0) for key, n in now.items() if word in key[1])


def _receipt_id(hub: Hub, number: str) -> str:
    sandbox = hub.erp.sandbox
    return next(
        rid
        for rid in sandbox.remote_ids("receipts")
        if (sandbox.get_record("receipts", rid) or {}).get("code") == number
    )
