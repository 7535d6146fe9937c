"""Render the shared fake business (``connectors.sdk.fakedata``) as Zoho CRM records."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from connectors.sdk.fakedata import CONTRACT_TYPES, FakeCompany, Universe
from connectors.zoho_crm.sandbox.store import Org, totals

CONTRACT_TYPE_LABELS = {
    "technical_development": "Technical Development",
    "technical_consulting": "Technical Consulting",
    "product_licence": "Product Licence",
    "operations_service": "Operations Service",
}
MILESTONE_STATUS = {
    "planned": "Planned",
    "in_progress": "In Progress",
    "delivered": "Delivered",
    "accepted": "Accepted",
}
INVOICE_STATUS = {"issued": "Issued", "partially_paid": "Partially Paid", "paid": "Paid"}
INVOICE_KIND = {"vat_special": "VAT Special", "vat_normal": "VAT Normal"}
PAYMENT_METHOD = {"bank_transfer": "Bank Transfer", "acceptance_bill": "Acceptance Bill"}


def _stamp(org: Org, record: dict[str, Any], when: datetime) -> dict[str, Any]:
    record.update(
        id=org.new_id(),
        Owner=org.owner(),
        Created_By=org.owner(),
        Modified_By=org.owner(),
        Created_Time=when,
        Modified_Time=when,
    )
    return record


def _at(day: date, rng: random.Random, tz: Any) -> datetime:
    return datetime.combine(day, time(9, 0), tz) + timedelta(seconds=rng.randint(0, 8 * 3600))


def account_record(company: FakeCompany) -> dict[str, Any]:
    """An Accounts record for a fake company."""
    return {
        "Account_Name": company.name,
        "Tax_ID": company.tax_id,
        "Phone": company.phone,
        "Industry": company.industry,
        "Account_Type": "Customer",
        "Billing_Street": company.address,
        "Billing_City": company.city,
        "Billing_Country": "中国",
        "Finance_Email": company.email,
        "Bank_Name": company.bank_name,
        "Bank_Account": company.bank_account,
    }


def seed(org: Org, universe: Universe, *, seed: int, contracts: str, payments: str) -> None:
    """Fill ``org`` with the universe's customers, contacts, deals, contracts, invoices, payments."""
    rng = random.Random(seed)
    now = org.now()
    tz = org.tz
    store = org.records
    products = {}
    for key, (label, _rate, _steps) in CONTRACT_TYPES.items():
        product = _stamp(
            org,
            {"Product_Name": label, "Product_Code": key.upper()[:12]},
            now - timedelta(days=400),
        )
        store["Products"][product["id"]] = product
        products[key] = product["id"]
    accounts: dict[str, str] = {}
    for company in universe.companies:
        created = now - timedelta(days=rng.randint(30, 500), seconds=rng.randint(0, 86399))
        record = _stamp(org, account_record(company), created)
        record["Modified_Time"] = min(now, created + timedelta(days=rng.randint(0, 25)))
        store["Accounts"][record["id"]] = record
        accounts[company.key] = record["id"]
    for contact in universe.contacts:
        when = now - timedelta(days=rng.randint(1, 400), seconds=rng.randint(0, 86399))
        record = _stamp(
            org,
            {
                "Last_Name": contact.name,
                "Title": contact.title,
                "Mobile": contact.phone,
                "Email": contact.email,
                "Account_Name": accounts[contact.company],
            },
            when,
        )
        store["Contacts"][record["id"]] = record
    contract_ids: dict[str, str] = {}
    for contract in universe.contracts:
        when = _at(contract.sign_date, rng, tz)
        rows = [
            {
                "id": org.new_id(),
                "Milestone_Name": m.name,
                "Due_Date": m.due_date.isoformat(),
                "Percent": m.percent,
                "Amount": m.amount,
                "Milestone_Status": MILESTONE_STATUS[m.status],
                "Accepted_Time": (
                    datetime.combine(m.due_date, time(17, 30), tz)
                    if m.status == "accepted"
                    else None
                ),
            }
            for m in contract.milestones
        ]
        record = _stamp(
            org,
            {
                "Name": contract.number,
                "Contract_Title": contract.title,
                "Account": accounts[contract.company],
                "Contract_Type": CONTRACT_TYPE_LABELS[contract.type],
                "Amount": contract.amount,
                "Currency": "CNY",
                "Tax_Rate": contract.tax_rate * 100,
                "Sign_Date": contract.sign_date.isoformat(),
                "Start_Date": contract.start_date.isoformat(),
                "End_Date": contract.end_date.isoformat(),
                "Contract_Status": "Completed" if contract.status == "completed" else "Active",
                "Payment_Terms": contract.payment_terms,
                "Milestones": rows,
            },
            min(now, when),
        )
        store[contracts][record["id"]] = record
        contract_ids[contract.number] = record["id"]
        deal = _stamp(
            org,
            {
                "Deal_Name": contract.title,
                "Account_Name": accounts[contract.company],
                "Amount": contract.amount,
                "Stage": "Closed Won",
                "Closing_Date": contract.sign_date.isoformat(),
                "Contract_Number": contract.number,
            },
            min(now, when - timedelta(days=3)),
        )
        store["Deals"][deal["id"]] = deal
    types = {c.number: c.type for c in universe.contracts}
    invoice_ids: dict[str, str] = {}
    for invoice in universe.invoices:
        percent = (invoice.tax_rate * 100).normalize()
        record = _stamp(
            org,
            {
                "Subject": invoice.number,
                "Invoice_Number": invoice.number,
                "Account_Name": accounts[invoice.company],
                "Contract": contract_ids[invoice.contract],
                "Invoice_Date": invoice.issue_date.isoformat(),
                "Due_Date": invoice.due_date.isoformat(),
                "Status": INVOICE_STATUS.get(invoice.status, "Issued"),
                "Invoice_Kind": INVOICE_KIND.get(invoice.kind, "Other"),
                "Currency": "CNY",
                "Adjustment": Decimal(0),
                "Invoiced_Items": [
                    {
                        "id": org.new_id(),
                        "Product_Name": products[types[invoice.contract]],
                        "Description": f"{invoice.contract} 里程碑结算",
                        "Quantity": Decimal(1),
                        "List_Price": invoice.net,
                        "Discount": Decimal(0),
                        "Line_Tax": [{"name": f"VAT {percent}%", "percentage": percent}],
                    }
                ],
            },
            min(now, _at(invoice.issue_date, rng, tz)),
        )
        totals(record, "Invoiced_Items")
        store["Invoices"][record["id"]] = record
        invoice_ids[invoice.number] = record["id"]
    for payment in universe.payments:
        record = _stamp(
            org,
            {
                "Name": payment.number,
                "Account": accounts[payment.company],
                "Invoice": invoice_ids[payment.invoice],
                "Amount": payment.amount,
                "Currency": "CNY",
                "Received_Date": payment.received_on.isoformat(),
                "Payment_Method": PAYMENT_METHOD.get(payment.method, "Other"),
            },
            min(now, _at(payment.received_on, rng, tz)),
        )
        store[payments][record["id"]] = record
