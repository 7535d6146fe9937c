"""A customer made in the CRM reaches Kingdee once, follows edits, and then stays put."""

from __future__ import annotations

from e2e_support import Hub

from connectors.sdk.cn import make_uscc
from hub.demo.run import CRM, ERP


def test_customer_created_in_crm_appears_in_kingdee_linked_once_and_follows_edits(hub: Hub) -> None:
    import random

    hub.run()
    hub.run()  # settle what the first sync wrote back
    zoho = hub.zoho()
    tax_id = make_uscc(random.Random(99), "110000")
    account_id = zoho.create(
        "Accounts",
        {
            "Account_Name": "北京链上未来科技有限公司",
            "Tax_ID": tax_id,
            "Phone": "010-12345678",
            "Account_Type": "Customer",
        },
    )
    before = len(hub.erp.sandbox.remote_ids("customers"))

    hub.run()

    crm_link = hub.link(CRM, "customer", remote_id=account_id)
    assert crm_link is not None
    erp_link = hub.link(ERP, "customer", hub_id=crm_link["hub_id"])
    assert erp_link is not None
    assert len(hub.erp.sandbox.remote_ids("customers")) == before + 1
    record = hub.erp.sandbox.get_record("customers", erp_link["remote_id"])
    assert record is not None
    assert record["FName"] == "北京链上未来科技有限公司"
    assert record["FSOCIALCRECODE"] == tax_id
    assert [
        link["remote_id"]
        for link in hub.links(ERP, "customer")
        if link["hub_id"] == crm_link["hub_id"]
    ] == [erp_link["remote_id"]]

    zoho.update("Accounts", account_id, {"Phone": "010-87654321"})
    hub.run()
    assert hub.erp.sandbox.get_record("customers", erp_link["remote_id"])["FTEL"] == "010-87654321"  # type: ignore[index]

    writes = hub.writes()
    again = hub.run()
    total = again.total()
    assert (total.created, total.updated, total.pushed_created, total.pushed_updated) == (
        0,
        0,
        0,
        0,
    )
    assert hub.writes() == writes
    assert len(hub.erp.sandbox.remote_ids("customers")) == before + 1
