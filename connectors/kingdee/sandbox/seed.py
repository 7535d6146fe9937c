"""The shared fake business rendered as K/3 Cloud records.

Customers carry the company's ``alt_name`` (the finance system's spelling, which
differs slightly from the CRM's) and its credit code in ``FSOCIALCRECODE`` and
``FTAXREGISTERCODE``; contracts become sales orders (one priced line, net of
VAT); every invoice becomes an audited receivable plus a VAT invoice
(``IV_SALESIC`` special, ``IV_SALESOC`` normal) pushed from it; payments become
receipts. Everything is saved through the same rules a client's Save meets,
then audited, with create/modify times on the business dates.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from connectors.kingdee.protocol import SERVER_TZ
from connectors.kingdee.sandbox.store import Bill, SaveOptions, Store, Table
from connectors.sdk.fakedata import Universe

MATERIAL_BY_TYPE = {
    "technical_development": "SVC-DEV",
    "technical_consulting": "SVC-CONS",
    "product_licence": "SW-LIC",
    "operations_service": "SVC-OPS",
}
SETTLE_BY_METHOD = {"bank_transfer": "JSFS04_SYS", "acceptance_bill": "JSFS07_SYS"}
ORG = {"FNumber": "100"}
CNY = {"FNumber": "PRE001"}


def customer_number(key: str) -> str:
    """The customer number the seed gives a fake company (``C00001`` stays ``C00001``)."""
    return key


class Seeder:
    """Saves a universe into a store; ``tick`` spreads create times within a day."""

    def __init__(self, store: Store, now: datetime) -> None:
        self.store = store
        self.now = now.astimezone(SERVER_TZ)
        self.tick = 0

    def _stamp(self, table: Table, bill: Bill, day: date) -> None:
        self.tick += 1
        when = datetime.combine(day, time(9, 0), SERVER_TZ) + timedelta(seconds=self.tick)
        when = min(when, self.now - timedelta(minutes=5) + timedelta(milliseconds=self.tick))
        bill.header.update(FCreateDate=when, FModifyDate=when)
        for op in ("submit", "audit"):
            self.store.operate(table, op, bill)
        bill.header["FModifyDate"] = when
        if table.form.header_field("FApproveDate"):
            bill.header["FApproveDate"] = when

    def _save(self, form_id: str, model: dict[str, Any], day: date) -> Bill:
        table = self.store.table(form_id)
        assert table is not None
        bill = self.store.save(table, model, SaveOptions())
        self._stamp(table, bill, day)
        return bill

    def render(self, universe: Universe) -> None:
        """Save every company, contract, invoice and payment of ``universe``."""
        first_day: dict[str, date] = {}
        for contract in universe.contracts:
            first_day.setdefault(contract.company, contract.sign_date)
        for company in universe.companies:
            day = first_day.get(company.key, self.now.date()) - timedelta(days=30)
            self._save(
                "BD_Customer",
                {
                    "FNumber": customer_number(company.key),
                    "FName": company.alt_name,
                    "FShortName": company.alt_name.removesuffix("有限公司")[:8],
                    "FCreateOrgId": ORG,
                    "FUseOrgId": ORG,
                    "FSOCIALCRECODE": company.tax_id,
                    "FTAXREGISTERCODE": company.tax_id,
                    "FINVOICETITLE": company.alt_name,
                    "FINVOICEBANKNAME": company.bank_name,
                    "FINVOICEBANKACCOUNT": company.bank_account,
                    "FINVOICETEL": company.phone,
                    "FINVOICEADDRESS": company.address,
                    "FADDRESS": company.address,
                    "FTEL": company.phone,
                    "FTRADINGCURRID": CNY,
                },
                day,
            )
        for contract in universe.contracts:
            self._save(
                "SAL_SaleOrder",
                {
                    "FBillNo": contract.number,
                    "FBillTypeID": {"FNUMBER": "XSDD01_SYS"},
                    "FDate": contract.sign_date.isoformat(),
                    "FSaleOrgId": ORG,
                    "FCustId": {"FNumber": customer_number(contract.company)},
                    "FSalerId": {"FNumber": "0001"},
                    "FNote": contract.title,
                    "FSaleOrderFinance": {"FSettleCurrId": CNY, "FExchangeRate": 1},
                    "FSaleOrderEntry": [
                        {
                            "FMaterialId": {"FNumber": MATERIAL_BY_TYPE[contract.type]},
                            "FUnitID": {"FNumber": "Set"},
                            "FQty": 1,
                            "FPrice": contract.amount,
                            "FEntryTaxRate": contract.tax_rate * 100,
                            "FDeliveryDate": contract.end_date.isoformat(),
                            "FSettleOrgIds": ORG,
                        }
                    ],
                },
                contract.sign_date,
            )
        for invoice in universe.invoices:
            receivable = f"AR{invoice.number.removeprefix('FP')}"
            rate = invoice.tax_rate * 100
            self._save(
                "AR_receivable",
                {
                    "FBillNo": receivable,
                    "FBillTypeID": {"FNumber": "YSD01_SYS"},
                    "FDATE": invoice.issue_date.isoformat(),
                    "FENDDATE_H": invoice.due_date.isoformat(),
                    "FCUSTOMERID": {"FNumber": customer_number(invoice.company)},
                    "FCURRENCYID": CNY,
                    "FSETTLEORGID": ORG,
                    "FSALEORGID": ORG,
                    "FPAYORGID": ORG,
                    "FISPRICEEXCLUDETAX": True,
                    "FBUSINESSTYPE": "BZ",
                    "FEntityDetail": [
                        {
                            "FMATERIALID": {"FNumber": _material(universe, invoice.contract)},
                            "FPriceQty": 1,
                            "FPrice": invoice.net,
                            "FEntryTaxRate": rate,
                            "FORDERNUMBER": invoice.contract,
                        }
                    ],
                },
                invoice.issue_date,
            )
            special = invoice.kind == "vat_special"
            self._save(
                "IV_SALESIC" if special else "IV_SALESOC",
                {
                    "FBillNo": invoice.number,
                    "FDATE": invoice.issue_date.isoformat(),
                    "FINVOICENO": invoice.number.removeprefix("FP")[-8:],
                    "FINVOICEDATE": invoice.issue_date.isoformat(),
                    "FCUSTOMERID": {"FNumber": customer_number(invoice.company)},
                    "FSETTLEORGID": ORG,
                    "FSALEORGID": ORG,
                    "FCURRENCYID": CNY,
                    "FRedBlue": "0",
                    ("FSALESICENTRY" if special else "FSALESOCENTRY"): [
                        {
                            "FMATERIALID": {"FNumber": _material(universe, invoice.contract)},
                            "FPRICEQTY": 1,
                            "FAUXPRICE": invoice.net,
                            "FTAXRATE": rate,
                            "FSALESORDERNO": invoice.contract,
                            "FSRCBILLNO": receivable,
                        }
                    ],
                },
                invoice.issue_date,
            )
        contract_of = {i.number: i.contract for i in universe.invoices}
        for payment in universe.payments:
            customer = {"FNumber": customer_number(payment.company)}
            self._save(
                "AR_RECEIVEBILL",
                {
                    "FBillNo": payment.number,
                    "FBillTypeID": {"FNumber": "SKDLX01_SYS"},
                    "FDATE": payment.received_on.isoformat(),
                    "FCONTACTUNITTYPE": "BD_Customer",
                    "FCONTACTUNIT": customer,
                    "FPAYUNITTYPE": "BD_Customer",
                    "FPAYUNIT": customer,
                    "FCURRENCYID": CNY,
                    "FSETTLECUR": CNY,
                    "FPAYORGID": ORG,
                    "FSETTLEORGID": ORG,
                    "FSALEORGID": ORG,
                    "FEXCHANGERATE": Decimal(1),
                    "FRECEIVEBILLENTRY": [
                        {
                            "FSETTLETYPEID": {
                                "FNumber": SETTLE_BY_METHOD.get(payment.method, "JSFS04_SYS")
                            },
                            "FPURPOSEID": {"FNumber": "SFKYT01_SYS"},
                            "FRECTOTALAMOUNTFOR": payment.amount,
                            "FACCOUNTID": {"FNumber": "6222000000000000"},
                            "FPOSTDATE": payment.received_on.isoformat(),
                            "FSALEORDERNO": contract_of.get(payment.invoice, ""),
                            "FCOMMENT": payment.invoice,
                        }
                    ],
                },
                payment.received_on,
            )


def _material(universe: Universe, contract_number: str) -> str:
    kinds = {c.number: c.type for c in universe.contracts}
    return MATERIAL_BY_TYPE.get(kinds.get(contract_number, ""), "SVC-DEV")
