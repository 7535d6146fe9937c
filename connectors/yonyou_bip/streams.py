"""The YonBIP objects SyncHub reads and writes, declared as data.

Each ``BipObject`` names a stream (tied to a canonical entity) and the vendor
endpoints that serve it; the connector's verbs are written once against this
table, so adding an object is a new row, not new code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from connectors.sdk import Capability, Stream
from connectors.yonyou_bip.lines import LineRule

_READ = frozenset({Capability.READ_FULL, Capability.READ_INCREMENTAL, Capability.WRITE})
_IDEMPOTENT = _READ | {Capability.IDEMPOTENT_CREATE}

ListStyle = Literal["bare", "envelope"]


@dataclass(frozen=True, slots=True)
class BipObject:
    """One vendor object: its stream and the paths (relative to the gateway URL) serving it.

    ``list_style`` "bare": ``data`` is the row array (``merchant/newlist``), paging
    stops on a short page and filtering by ``pubts`` is a top-level field;
    "envelope": ``data.recordList`` with counts, ``simpleVOs`` filters and sorting.
    ``create_path`` is an MDD-idempotent single save (``resubmitCheckKey``) unless
    ``batch_create`` is set, in which case it takes ``{"data": [...]}`` and answers
    with counts and per-row messages.
    """

    stream: Stream
    list_path: str
    list_style: ListStyle
    detail_path: str
    create_path: str
    update_path: str
    lookup_path: str
    lines: tuple[str, ...] = ()
    batch_create: bool = False
    line_rule: LineRule | None = None
    """The single body row built from the header when a save carries none."""
    batch_detail_path: str | None = None
    """Where list rows lack child tables, a batch detail call that returns them (one per page)."""


CUSTOMERS = BipObject(
    stream=Stream(
        name="customers",
        entity="customer",
        cursor_field="pubts",
        capabilities=_IDEMPOTENT,
        write_batch_size=50,
        page_size=200,
        external_key_field="defines!define1",
        alternate_key="code",
        description="Customer master data (merchant); read through merchant/newlist.",
    ),
    list_path="/yonbip/digitalModel/merchant/newlist",
    list_style="bare",
    detail_path="/yonbip/digitalModel/merchant/detail",
    create_path="/yonbip/digitalModel/merchant/idempotent/newinsert",
    update_path="/yonbip/digitalModel/merchant/save",
    lookup_path="/yonbip/digitalModel/merchant/list",
    lines=("merchantAddressInfos", "merchantContactInfos", "merchantAgentFinancialInfos"),
    batch_detail_path="/yonbip/digitalModel/merchant/newBatchDetail",
)

SALES_ORDERS = BipObject(
    stream=Stream(
        name="sales_orders",
        entity="contract",
        cursor_field="pubts",
        capabilities=_IDEMPOTENT,
        write_batch_size=50,
        external_key_field="defines!define1",
        alternate_key="code",
        description="Sales orders (voucherorder) standing for signed contracts.",
    ),
    list_path="/yonbip/sd/voucherorder/list",
    list_style="envelope",
    detail_path="/yonbip/sd/voucherorder/detail",
    create_path="/yonbip/sd/voucherorder/singleSave",
    update_path="/yonbip/sd/voucherorder/singleSave",
    lookup_path="/yonbip/sd/voucherorder/list",
    lines=("orderDetails",),
    line_rule=LineRule(
        "orderDetails",
        copy=(("oriSum", "payMoney"), ("oriTaxUnitPrice", "payMoney")),
        move=("productId", "taxRate", "masterUnitId", "stockOrgId"),
        fixed={"qty": 1, "priceQty": 1, "subQty": 1},
    ),
)

SALES_INVOICES = BipObject(
    stream=Stream(
        name="sales_invoices",
        entity="invoice",
        cursor_field="pubts",
        capabilities=_IDEMPOTENT,
        write_batch_size=50,
        external_key_field="defines!define1",
        alternate_key="code",
        description="Sales invoices (vouchersaleinvoice), VAT special and normal.",
    ),
    list_path="/yonbip/sd/vouchersaleinvoice/list",
    list_style="envelope",
    detail_path="/yonbip/sd/vouchersaleinvoice/detail",
    create_path="/yonbip/sd/vouchersaleinvoice/singleSave",
    update_path="/yonbip/sd/vouchersaleinvoice/singleSave",
    lookup_path="/yonbip/sd/vouchersaleinvoice/list",
    lines=("saleInvoiceDetails",),
    line_rule=LineRule(
        "saleInvoiceDetails",
        copy=(
            ("oriMoney", "oriMoney"),
            ("oriTax", "oriTax"),
            ("oriSum", "oriSum"),
            ("taxRate", "taxRate"),
            ("orderNo", "orderNo"),
        ),
        move=("productId",),
        fixed={"qty": 1},
    ),
)

RECEIVABLES = BipObject(
    stream=Stream(
        name="receivables",
        entity="invoice",
        cursor_field="pubts",
        capabilities=_READ,
        write_batch_size=50,
        external_key_field="defines!define1",
        alternate_key="code",
        description="Other receivable items (fi/oar), saved in batches without idempotency keys.",
    ),
    list_path="/yonbip/fi/oar/list",
    list_style="envelope",
    detail_path="/yonbip/fi/oar/detail",
    create_path="/yonbip/fi/oar/save",
    update_path="/yonbip/fi/oar/save",
    lookup_path="/yonbip/fi/oar/list",
    lines=("oarDetail",),
    line_rule=LineRule(
        "oarDetail",
        copy=(("oriSum", "oriSum"), ("natSum", "natSum")),
        move=("expenseitem_code", "taxRate"),
    ),
    batch_create=True,
)

RECEIPTS = BipObject(
    stream=Stream(
        name="receipts",
        entity="payment",
        cursor_field="pubts",
        capabilities=_IDEMPOTENT,
        write_batch_size=50,
        external_key_field="defines!define1",
        alternate_key="code",
        description="Receipts (fi/receivebill): money received from customers.",
    ),
    list_path="/yonbip/fi/receivebill/list/v2",
    list_style="envelope",
    detail_path="/yonbip/fi/receivebill/detail",
    create_path="/yonbip/fi/receivebill/single/save",
    update_path="/yonbip/fi/receivebill/single/save",
    lookup_path="/yonbip/fi/receivebill/list/v2",
    lines=("ReceiveBill_b",),
    line_rule=LineRule(
        "ReceiveBill_b",
        copy=(
            ("oriSum", "oriSum"),
            ("natSum", "natSum"),
            ("customer_code", "customer_code"),
            ("invoiceno", "invoiceno"),
        ),
        move=("quickType_code",),
        fixed={"quickType_code": "1"},
    ),
)

OBJECTS: dict[str, BipObject] = {
    o.stream.name: o for o in (CUSTOMERS, SALES_ORDERS, SALES_INVOICES, RECEIVABLES, RECEIPTS)
}
STREAMS: tuple[Stream, ...] = tuple(o.stream for o in OBJECTS.values())
