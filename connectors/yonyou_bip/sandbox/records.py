"""The seeded business rendered in YonBIP shapes, and sample records for writes.

Customers use the company's ``alt_name`` spelling, as the finance side does;
contracts become sales orders, VAT invoices sales invoices and payments
receipts, all pointing at their customer by internal id (and code).
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from connectors.sdk.cn import make_uscc
from connectors.sdk.fakedata import FakeCompany, FakeContract, FakeInvoice, FakePayment, Universe

ORG_ID = "1524864006176636931"
ORG_CODE = "global00"
TAX_PERCENT = {Decimal("0.06"): 6, Decimal("0.13"): 13, Decimal("0"): 0}
INVOICE_TYPES = {"vat_special": "1", "vat_normal": "2", "other": "3"}
SETTLE_MODES = {"bank_transfer": "1", "acceptance_bill": "2"}


def day(value: date) -> str:
    """A document date as the vendor writes it in lists (time part zero)."""
    return f"{value.isoformat()} 00:00:00"


def customer(company: FakeCompany, rid: str, contact: str | None) -> dict[str, Any]:
    """A merchant record; child tables carry address, contact and bank account."""
    return {
        "id": rid,
        "code": company.key,
        "name": {"simplifiedName": company.alt_name},
        "shortname": {"simplifiedName": company.alt_name.removesuffix("有限公司")},
        "createOrgId": ORG_ID,
        "createOrgCode": ORG_CODE,
        "customerClassCode": "01",
        "enterpriseNature": 0,
        "licenseType": 0,
        "creditCode": company.tax_id,
        "taxPayingCategories": 0,
        "industry": company.industry,
        "merchantAppliedDetail": {"stopstatus": False},
        "merchantAddressInfos": [
            {"id": f"{rid}01", "addressCode": "01", "address": company.address, "isDefault": True}
        ],
        "merchantContactInfos": [
            {
                "id": f"{rid}02",
                "fullName": contact or company.owner,
                "telePhone": company.phone,
                "email": company.email,
                "isDefault": True,
            }
        ],
        "merchantAgentFinancialInfos": [
            {
                "id": f"{rid}03",
                "accountType": 0,
                "currencyName": "人民币",
                "bankName": company.bank_name,
                "openBankName": company.bank_name,
                "bankAccount": company.bank_account,
                "bankAccountName": company.alt_name,
                "isDefault": True,
            }
        ],
    }


def sales_order(contract: FakeContract, rid: str, cust: dict[str, Any]) -> dict[str, Any]:
    """A sales order standing for a contract: one service line, tax-inclusive."""
    rate = TAX_PERCENT.get(contract.tax_rate, int(contract.tax_rate * 100))
    net = (contract.amount / (1 + contract.tax_rate)).quantize(Decimal("0.01"))
    state = {"active": 2, "completed": 2, "draft": 0, "in_approval": 1}.get(contract.status, 2)
    return {
        "id": rid,
        "code": contract.number,
        "vouchdate": day(contract.sign_date),
        "salesOrgId": ORG_ID,
        "settlementOrgId": ORG_ID,
        "transactionTypeId": "SO01",
        "agentId": cust["id"],
        "agentId_code": cust["code"],
        "agentId_name": cust["name"]["simplifiedName"],
        "invoiceAgentId": cust["id"],
        "payMoney": contract.amount,
        "orderPrices!currency": "CNY",
        "orderPrices!natCurrency": "CNY",
        "orderPrices!exchRate": 1,
        "orderPrices!taxInclusive": True,
        "memo": contract.title,
        "defines!define2": contract.type,
        "hopeReceiveDate": day(contract.end_date),
        "verifystate": state,
        "isClose": contract.status == "completed",
        "orderDetails": [
            {
                "id": f"{rid}01",
                "productId": f"SVC-{contract.type}",
                "qty": 1,
                "oriTaxUnitPrice": contract.amount,
                "oriSum": contract.amount,
                "taxRate": rate,
                "orderDetailPrices!oriMoney": net,
                "orderDetailPrices!oriTax": contract.amount - net,
            }
        ],
    }


def sales_invoice(invoice: FakeInvoice, rid: str, cust: dict[str, Any]) -> dict[str, Any]:
    """A blue sales invoice with one line; net + tax == gross as issued."""
    return {
        "id": rid,
        "code": invoice.number,
        "vouchdate": day(invoice.issue_date),
        "orgId": ORG_ID,
        "agentId": cust["id"],
        "agentId_code": cust["code"],
        "invAgentId": cust["id"],
        "orderNo": invoice.contract,
        "currency": "CNY",
        "natCurrency": "CNY",
        "exchRate": 1,
        "invDirection": 2,
        "invoiceType": INVOICE_TYPES.get(invoice.kind, "3"),
        "source": "voucher_order",
        "oriMoney": invoice.net,
        "oriTax": invoice.tax,
        "oriSum": invoice.gross,
        "natMoney": invoice.net,
        "natTax": invoice.tax,
        "natSum": invoice.gross,
        "taxRate": TAX_PERCENT.get(invoice.tax_rate, int(invoice.tax_rate * 100)),
        "maturitydate": invoice.due_date.isoformat(),
        "verifystate": 2,
        "saleInvoiceDetails": [
            {
                "id": f"{rid}01",
                "orderNo": invoice.contract,
                "qty": 1,
                "oriMoney": invoice.net,
                "oriTax": invoice.tax,
                "oriSum": invoice.gross,
            }
        ],
    }


def receipt(payment: FakePayment, rid: str, cust: dict[str, Any]) -> dict[str, Any]:
    """A receipt (billtype 7) against one invoice."""
    return {
        "id": rid,
        "code": payment.number,
        "vouchdate": payment.received_on.isoformat(),
        "accentity": ORG_ID,
        "accentity_code": ORG_CODE,
        "customer": cust["id"],
        "customer_code": cust["code"],
        "customer_name": cust["name"]["simplifiedName"],
        "tradetype_code": "arap_receipt_other",
        "currency": "CNY",
        "exchangeRateType_code": "01",
        "exchRate": 1,
        "oriSum": payment.amount,
        "natSum": payment.amount,
        "invoiceno": payment.invoice,
        "settlemode_code": SETTLE_MODES.get(payment.method, "1"),
        "billtype": 7,
        "auditstatus": 1,
        "writeoffstatus": 1,
        "ReceiveBill_b": [
            {
                "id": f"{rid}01",
                "quickType_code": "1",
                "oriSum": payment.amount,
                "natSum": payment.amount,
                "customer_code": cust["code"],
                "invoiceno": payment.invoice,
            }
        ],
    }


def render(universe: Universe, next_id: Any) -> dict[str, list[dict[str, Any]]]:
    """Every stream's records for ``universe``; ``next_id()`` hands out internal ids."""
    contacts = {c.company: c.name for c in reversed(universe.contacts)}
    customers = [customer(c, next_id(), contacts.get(c.key)) for c in universe.companies]
    by_key = {c["code"]: c for c in customers}
    return {
        "customers": customers,
        "sales_orders": [sales_order(k, next_id(), by_key[k.company]) for k in universe.contracts],
        "sales_invoices": [
            sales_invoice(i, next_id(), by_key[i.company]) for i in universe.invoices
        ],
        "receivables": [],
        "receipts": [receipt(p, next_id(), by_key[p.company]) for p in universe.payments],
    }


def sample(stream: str, n: int, customer_id: str) -> dict[str, Any]:
    """A valid record to write to ``stream`` (as an outbound mapping would shape it)."""
    amount = Decimal(1000 + n) + Decimal("0.50")
    if stream == "customers":
        rng = random.Random(n)
        return {
            "code": f"T{n:05d}",
            "name": {"simplifiedName": f"测试客户{n}号科技有限公司"},
            "creditCode": make_uscc(rng, "330100"),
            "merchantAddressInfos": [
                {"addressCode": "01", "address": f"杭州市滨江区{n}号", "isDefault": True}
            ],
        }
    if stream == "sales_orders":
        return {
            "vouchdate": "2025-05-01 00:00:00",
            "agentId": customer_id,
            "transactionTypeId": "SO01",
            "salesOrgId": ORG_CODE,
            "payMoney": amount,
            "memo": f"测试合同{n}",
            "orderDetails": [{"productId": "SVC", "qty": 1, "oriSum": amount, "taxRate": 6}],
        }
    if stream == "sales_invoices":
        net = Decimal(1000 + n)
        tax = (net * Decimal("0.06")).quantize(Decimal("0.01"))
        return {
            "vouchdate": "2025-05-02 00:00:00",
            "agentId": customer_id,
            "invoiceType": "1",
            "oriMoney": net,
            "oriTax": tax,
            "oriSum": net + tax,
            "saleInvoiceDetails": [{"qty": 1, "oriMoney": net, "oriTax": tax, "oriSum": net + tax}],
        }
    base = {
        "vouchdate": "2025-05-03",
        "customer_code": customer_id,
        "oriSum": amount,
        "natSum": amount,
    }
    if stream == "receivables":
        return {
            **base,
            "tradetype_code": "arap_oar_other",
            "oarDetail": [{"oriSum": amount, "natSum": amount}],
        }
    return {
        **base,
        "tradetype_code": "arap_receipt_other",
        "ReceiveBill_b": [{"quickType_code": "1", "oriSum": amount}],
    }


def invalid(stream: str, customer_id: str) -> tuple[dict[str, Any], str]:
    """A record the vendor refuses, and a word its refusal contains."""
    if stream == "customers":
        return {
            "code": "BAD00001",
            "name": {"simplifiedName": "坏客户"},
            "creditCode": "91330100BADCODE00X",
        }, "证照号码"
    data = sample(stream, 9999, customer_id)
    if stream == "sales_orders":
        data["agentId"] = "NO-SUCH-CUSTOMER"
    else:
        data.pop("agentId", None)
        data["agentId" if stream == "sales_invoices" else "customer_code"] = "NO-SUCH-CUSTOMER"
    return data, "NO-SUCH-CUSTOMER"
