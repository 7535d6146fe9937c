"""The U8 objects SyncHub reads and writes, declared as data.

U8 addresses a record by its code (customer code, document number), so that
is every stream's primary key. ``list_resource`` is the ``<resource>list``
resource list calls use; master data lists use the plain name.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.sdk import Capability, Stream
from connectors.yonyou_u8.lines import LineRule

_CREATE = frozenset(
    {
        Capability.READ_FULL,
        Capability.READ_INCREMENTAL,
        Capability.WRITE,
        Capability.IDEMPOTENT_CREATE,
    }
)


@dataclass(frozen=True, slots=True)
class U8Object:
    """One U8 resource and how to list, get, add (and maybe edit) it.

    ``modified_field`` names the record's modification time when the list can
    filter on it (customers); documents filter by ``date_field`` only, read with
    a trailing window.
    """

    stream: Stream
    resource: str
    list_resource: str
    date_field: str
    date_filter: str
    modified_field: str | None = None
    modified_filter: str | None = None
    edit: bool = False
    voucher: bool = True
    line_rule: LineRule | None = None


CUSTOMERS = U8Object(
    stream=Stream(
        name="customers",
        entity="customer",
        primary_key="code",
        cursor_field="ModifyDate",
        capabilities=_CREATE,
        write_batch_size=20,
        page_size=50,
        external_key_field="self_define1",
        description="Customer archive (客户档案); code is the key.",
    ),
    resource="customer",
    list_resource="customer",
    date_field="ModifyDate",
    date_filter="ModifyDate_begin",
    modified_field="ModifyDate",
    modified_filter="ModifyDate_begin",
    edit=True,
    voucher=False,
)

SALES_ORDERS = U8Object(
    stream=Stream(
        name="sales_orders",
        entity="contract",
        primary_key="code",
        cursor_field="date",
        capabilities=_CREATE,
        write_batch_size=20,
        external_key_field="define11",
        description="Sales orders (销售订单) standing for contracts.",
    ),
    resource="saleorder",
    list_resource="saleorderlist",
    date_field="date",
    date_filter="date_begin",
    line_rule=LineRule(
        copy=(("sum", "sum"), ("taxunitprice", "sum"), ("taxrate", "taxrate")),
        move=("inventorycode",),
        fixed={"quantity": 1, "rowno": 1},
    ),
)

SALES_INVOICES = U8Object(
    stream=Stream(
        name="sales_invoices",
        entity="invoice",
        primary_key="invoiceno",
        cursor_field="date",
        capabilities=_CREATE,
        write_batch_size=20,
        external_key_field="define11",
        description="Sales invoices (销售发票), special (26) and normal (27).",
    ),
    resource="saleinvoice",
    list_resource="saleinvoicelist",
    date_field="date",
    date_filter="date_begin",
    line_rule=LineRule(
        copy=(
            ("originalmoney", "originalmoney"),
            ("originaltax", "originaltax"),
            ("originalsum", "originalsum"),
            ("money", "originalmoney"),
            ("tax", "originaltax"),
            ("sum", "originalsum"),
        ),
        move=("inventorycode",),
        fixed={"quantity": 1},
    ),
)

RECEIVABLES = U8Object(
    stream=Stream(
        name="receivables",
        entity="invoice",
        primary_key="code",
        cursor_field="date",
        capabilities=_CREATE,
        write_batch_size=20,
        external_key_field="define11",
        description="Receivables (应收单).",
    ),
    resource="oughtreceive",
    list_resource="oughtreceivelist",
    date_field="date",
    date_filter="date_begin",
    line_rule=LineRule(
        copy=(
            ("amount", "amount"),
            ("natamount", "natamount"),
            ("cust_vendor_code", "cust_vendor_code"),
        ),
        mirror=(("natamount", "amount"),),
    ),
)

RECEIPTS = U8Object(
    stream=Stream(
        name="receipts",
        entity="payment",
        primary_key="vouchcode",
        cursor_field="vouchdate",
        capabilities=_CREATE,
        write_batch_size=20,
        external_key_field="define11",
        description="Receipts (收款单, vouchtype 48).",
    ),
    resource="accept",
    list_resource="acceptlist",
    date_field="vouchdate",
    date_filter="vouchdate_begin",
    line_rule=LineRule(
        copy=(
            ("amount", "amount"),
            ("originalamount", "originalamount"),
            ("customercode", "customercode"),
        ),
        fixed={"type": 0},
        mirror=(("originalamount", "amount"),),
    ),
)

OBJECTS: dict[str, U8Object] = {
    o.stream.name: o for o in (CUSTOMERS, SALES_ORDERS, SALES_INVOICES, RECEIVABLES, RECEIPTS)
}
STREAMS: tuple[Stream, ...] = tuple(o.stream for o in OBJECTS.values())
