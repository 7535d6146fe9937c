"""Facts a sales invoice does not carry itself, joined from the documents that do.

K/3 Cloud keeps an invoice's due date on its source receivable (AR_receivable,
``FENDDATE_H``), not on IV_SALESIC / IV_SALESOC. Finance ages invoices by due
date, so the connector joins it in: one query per page for every source
receivable the page's invoices name (entry field ``FSRCBILLNO``), added to each
invoice as ``FENDDATE_H``.
"""

from __future__ import annotations

from typing import Any

from connectors.kingdee import records as rec
from connectors.kingdee.client import KingdeeClient
from connectors.kingdee.protocol import parse_server_datetime
from connectors.sdk import Record

INVOICE_STREAMS = ("invoices_special", "invoices_normal")
RECEIVABLE_FORM = "AR_receivable"


async def attach_due_dates(
    client: KingdeeClient, invoices: list[Record], entry_key: str | None
) -> None:
    """Set ``FENDDATE_H`` on each invoice from its source receivable (None when it has none)."""
    sources: dict[int, str] = {}
    for index, invoice in enumerate(invoices):
        lines = invoice.get(entry_key or "") or []
        source = next((line.get("FSRCBILLNO") for line in lines if line.get("FSRCBILLNO")), None)
        if source:
            sources[index] = str(source)
        invoice.setdefault("FENDDATE_H", None)
    if not sources:
        return
    due: dict[str, Any] = {}
    numbers = sorted(set(sources.values()))
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        rows = await client.query(
            {
                "FormId": RECEIVABLE_FORM,
                "FieldKeys": "FBillNo,FENDDATE_H",
                "FilterString": rec.in_list("FBillNo", chunk),
                "OrderString": "FBillNo ASC",
                "TopRowCount": 0,
                "StartRow": 0,
                "Limit": len(chunk) + 1,
            }
        )
        for number, end in rows:
            due[str(number)] = (
                parse_server_datetime(end).date() if isinstance(end, str) and end else end
            )
    for index, source in sources.items():
        invoices[index]["FENDDATE_H"] = due.get(source)
