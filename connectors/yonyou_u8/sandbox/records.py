"""The seeded business in U8 shapes, and sample records for writes.

U8 keys everything by code: customers by customer code (the company key),
documents by their number. Customers carry the company's ``alt_name``
spelling, as the finance side does.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from connectors.sdk.cn import make_uscc
from connectors.sdk.fakedata import FakeCompany, FakeContract, FakeInvoice, FakePayment, Universe

INVOICE_TYPES = {"vat_special": "26", "vat_normal": "27", "other": "27"}
BALANCE_CODES = {"bank_transfer": "2", "acceptance_bill": "3"}


def _percent(rate: Decimal) -> Decimal:
    return (rate * 100).normalize()


def customer(company: FakeCompany, contact: str | None) -> dict[str, Any]:
    """A customer archive record."""
    return {
        "code": company.key,
        "name": company.alt_name,
        "abbrname": company.alt_name.removesuffix("有限公司")[:20],
        "sort_code": "01",
        "regcode": company.tax_id,
        "address": company.address,
        "contact": contact or company.owner,
        "phone": company.phone,
        "email": company.email,
        "trade": company.industry,
        "bank_open": company.bank_name,
        "bank_acc_number": company.bank_account,
        "ccusexch_name": "人民币",
        "seed_date": "2020-01-01",
        "self_define1": None,
    }


def sale_order(contract: FakeContract, cust: dict[str, Any]) -> dict[str, Any]:
    """A sales order standing for a contract: one service line."""
    net = (contract.amount / (1 + contract.tax_rate)).quantize(Decimal("0.01"))
    tax = contract.amount - net
    return {
        "code": contract.number,
        "date": contract.sign_date.isoformat(),
        "businesstype": "普通销售",
        "typecode": "1",
        "custcode": cust["code"],
        "cusname": cust["name"],
        "state": "Closed" if contract.status == "completed" else "Approved",
        "taxrate": _percent(contract.tax_rate),
        "money": net,
        "tax": tax,
        "sum": contract.amount,
        "memo": contract.title,
        "define1": contract.type,
        "dpredatebt": contract.end_date.isoformat(),
        "define11": None,
        "entry": [
            {
                "rowno": 1,
                "inventorycode": f"SVC-{contract.type}",
                "quantity": 1,
                "taxunitprice": contract.amount,
                "money": net,
                "tax": tax,
                "sum": contract.amount,
            }
        ],
    }


def sale_invoice(invoice: FakeInvoice, cust: dict[str, Any]) -> dict[str, Any]:
    """A sales invoice (26 special / 27 normal) with one line."""
    return {
        "invoiceno": invoice.number,
        "vouchertype": INVOICE_TYPES.get(invoice.kind, "27"),
        "saletypecode": "1",
        "date": invoice.issue_date.isoformat(),
        "customercode": cust["code"],
        "customername": cust["name"],
        "csocode": invoice.contract,
        "currencyrate": 1,
        "taxrate": _percent(invoice.tax_rate),
        "isnegative": False,
        "originalmoney": invoice.net,
        "originaltax": invoice.tax,
        "originalsum": invoice.gross,
        "duedate": invoice.due_date.isoformat(),
        "define11": None,
        "entry": [
            {
                "inventorycode": "SVC",
                "quantity": 1,
                "originalmoney": invoice.net,
                "originaltax": invoice.tax,
                "originalsum": invoice.gross,
                "money": invoice.net,
                "tax": invoice.tax,
                "sum": invoice.gross,
            }
        ],
    }


def accept(payment: FakePayment, cust: dict[str, Any]) -> dict[str, Any]:
    """A receipt (vouchtype 48) for one invoice."""
    return {
        "vouchcode": payment.number,
        "vouchdate": payment.received_on.isoformat(),
        "vouchtype": "48",
        "customercode": cust["code"],
        "customername": cust["name"],
        "amount": payment.amount,
        "originalamount": payment.amount,
        "balancecode": BALANCE_CODES.get(payment.method, "2"),
        "digest": f"收到货款 {payment.invoice}",
        "define10": payment.invoice,
        "define11": None,
        "entry": [
            {
                "type": 0,
                "customercode": cust["code"],
                "amount": payment.amount,
                "originalamount": payment.amount,
            }
        ],
    }


def render(universe: Universe) -> dict[str, list[dict[str, Any]]]:
    """Every stream's records for ``universe``."""
    contacts = {c.company: c.name for c in reversed(universe.contacts)}
    customers = [customer(c, contacts.get(c.key)) for c in universe.companies]
    by_code = {c["code"]: c for c in customers}
    return {
        "customers": customers,
        "sales_orders": [sale_order(k, by_code[k.company]) for k in universe.contracts],
        "sales_invoices": [sale_invoice(i, by_code[i.company]) for i in universe.invoices],
        "receivables": [],
        "receipts": [accept(p, by_code[p.company]) for p in universe.payments],
    }


def sample(stream: str, n: int, customer_code: str, today: date) -> dict[str, Any]:
    """A valid record to add to ``stream``, distinct for each ``n``."""
    amount = Decimal(2000 + n) + Decimal("0.25")
    day = today.isoformat()
    if stream == "customers":
        return {
            "code": f"T{n:05d}",
            "name": f"测试客户{n}号信息技术有限公司",
            "abbrname": f"测试客户{n}",
            "sort_code": "01",
            "regcode": make_uscc(random.Random(n), "110000"),
            "address": f"北京市海淀区{n}号",
        }
    if stream == "sales_orders":
        return {
            "date": day,
            "typecode": "1",
            "custcode": customer_code,
            "taxrate": 6,
            "memo": f"测试合同{n}",
            "entry": [
                {"inventorycode": "SVC", "quantity": 1, "taxunitprice": amount, "sum": amount}
            ],
        }
    if stream == "sales_invoices":
        net = Decimal(2000 + n)
        tax = (net * Decimal("0.06")).quantize(Decimal("0.01"))
        return {
            "date": day,
            "vouchertype": "26",
            "customercode": customer_code,
            "taxrate": 6,
            "entry": [
                {
                    "inventorycode": "SVC",
                    "quantity": 1,
                    "originalmoney": net,
                    "originaltax": tax,
                    "originalsum": net + tax,
                }
            ],
        }
    if stream == "receivables":
        return {
            "date": day,
            "cust_vendor_code": customer_code,
            "amount": amount,
            "natamount": amount,
            "digest": f"应收{n}",
            "entry": [{"cust_vendor_code": customer_code, "amount": amount, "natamount": amount}],
        }
    return {
        "vouchdate": day,
        "vouchtype": "48",
        "customercode": customer_code,
        "amount": amount,
        "originalamount": amount,
        "digest": f"收款{n}",
        "entry": [{"type": 0, "customercode": customer_code, "amount": amount}],
    }


def invalid(stream: str, customer_code: str, today: date) -> tuple[dict[str, Any], str]:
    """A record U8 refuses, and a word of the refusal."""
    if stream == "customers":
        return {"code": "BAD0001", "name": ""}, "客户名称"
    data = sample(stream, 9999, customer_code, today)
    field = {
        "sales_orders": "custcode",
        "sales_invoices": "customercode",
        "receivables": "cust_vendor_code",
        "receipts": "customercode",
    }[stream]
    data[field] = "NOSUCHCUST"
    return data, "NOSUCHCUST"
