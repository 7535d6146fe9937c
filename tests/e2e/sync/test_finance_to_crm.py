"""An invoice and a receipt entered in Kingdee reach the CRM against the right contract and customer."""

from __future__ import annotations

from e2e_support import Hub

from hub.demo.run import CRM, ERP


def test_invoice_and_payment_created_in_kingdee_appear_in_the_crm(hub: Hub) -> None:
    hub.run()
    contract_link = next(
        link
        for link in hub.links(ERP, "contract")
        if hub.link(CRM, "contract", hub_id=link["hub_id"])
    )
    order = hub.erp.sandbox.get_record("contracts", contract_link["remote_id"])
    assert order is not None
    customer_number = (
        order["FCustId"]["FNumber"] if "FCustId" in order else order["FCustId.FNumber"]
    )
    kingdee = hub.kingdee()
    invoice_number = kingdee.save(
        "IV_SALESIC",
        {
            "FBillNo": "FP2099000001",
            "FDATE": "2026-11-20",
            "FINVOICENO": "99000001",
            "FINVOICEDATE": "2026-11-20",
            "FCUSTOMERID": {"FNumber": customer_number},
            "FSETTLEORGID": {"FNumber": "100"},
            "FSALEORGID": {"FNumber": "100"},
            "FCURRENCYID": {"FNumber": "PRE001"},
            "FRedBlue": "0",
            "FSALESICENTRY": [
                {
                    "FMATERIALID": {"FNumber": "SVC-DEV"},
                    "FPRICEQTY": 1,
                    "FAUXPRICE": "10000.00",
                    "FTAXRATE": 6,
                    "FSALESORDERNO": contract_link["remote_id"],
                }
            ],
        },
    )
    payment_number = kingdee.save(
        "AR_RECEIVEBILL",
        {
            "FBillNo": "SK2099000001",
            "FBillTypeID": {"FNumber": "SKDLX01_SYS"},
            "FDATE": "2026-11-28",
            "FCONTACTUNITTYPE": "BD_Customer",
            "FCONTACTUNIT": {"FNumber": customer_number},
            "FPAYUNITTYPE": "BD_Customer",
            "FPAYUNIT": {"FNumber": customer_number},
            "FCURRENCYID": {"FNumber": "PRE001"},
            "FSETTLECUR": {"FNumber": "PRE001"},
            "FPAYORGID": {"FNumber": "100"},
            "FSETTLEORGID": {"FNumber": "100"},
            "FSALEORGID": {"FNumber": "100"},
            "FEXCHANGERATE": 1,
            "FRECEIVEBILLENTRY": [
                {
                    "FSETTLETYPEID": {"FNumber": "JSFS04_SYS"},
                    "FPURPOSEID": {"FNumber": "SFKYT01_SYS"},
                    "FRECTOTALAMOUNTFOR": "5300.00",
                    "FACCOUNTID": {"FNumber": "6222000000000000"},
                    "FCOMMENT": "FP2099000001",
                }
            ],
        },
    )

    hub.run()

    invoice_link = hub.link(ERP, "invoice", remote_id=invoice_number)
    assert invoice_link is not None
    crm_invoice_link = hub.link(CRM, "invoice", hub_id=invoice_link["hub_id"])
    assert crm_invoice_link is not None
    zoho = hub.zoho()
    invoice = zoho.get("Invoices", crm_invoice_link["remote_id"])
    crm_contract = hub.link(CRM, "contract", hub_id=contract_link["hub_id"])
    crm_customer = hub.link(CRM, "customer", hub_id=_customer_of(hub, contract_link["hub_id"]))
    assert crm_contract is not None
    assert crm_customer is not None
    assert invoice["Subject"] == "FP2099000001"
    assert invoice["Contract"]["id"] == crm_contract["remote_id"]
    assert invoice["Account_Name"]["id"] == crm_customer["remote_id"]
    assert str(invoice["Sub_Total"]) in ("10000", "10000.0", "10000.00")
    assert str(invoice["Grand_Total"]) in ("10600", "10600.0", "10600.00")

    payment_link = hub.link(ERP, "payment", remote_id=payment_number)
    assert payment_link is not None
    crm_payment_link = hub.link(CRM, "payment", hub_id=payment_link["hub_id"])
    assert crm_payment_link is not None
    payment = zoho.get("Payments", crm_payment_link["remote_id"])
    assert payment["Invoice"]["id"] == crm_invoice_link["remote_id"]
    assert payment["Account"]["id"] == crm_customer["remote_id"]
    assert str(payment["Amount"]) in ("5300", "5300.0", "5300.00")


def _customer_of(hub: Hub, contract_hub_id: str) -> str:
    from hub.sync import repo

    with hub.demo.engine.connect() as conn:
        row = repo.rows_by_id(conn, "contract", [contract_hub_id])[contract_hub_id]
    return str(row["customer_id"])
