"""The forms the simulator knows: field keys, kinds, entries and computed totals, as data.

Each form is declared once; saving, querying and viewing all read these
declarations, so a field added here is writable, filterable and selectable at
once. Field keys use the canonical casing of the facts file; lookups are
case-insensitive, as the server's are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

Kind = Literal["text", "date", "datetime", "decimal", "int", "bool", "ref", "status"]

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Half-up to the cent, as the server's amount precision does."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Field:
    """One field key; ``ref`` names the base data a reference points to."""

    key: str
    kind: Kind = "text"
    label: str = ""
    ref: str | None = None
    required: bool = False
    computed: bool = False
    system: bool = False
    """Set by the server (status, dates); ignored when a client sends it."""


@dataclass(frozen=True, slots=True)
class Entry:
    """An entry table (单据体): its key, the id key of its rows and its fields."""

    key: str
    fields: tuple[Field, ...]
    id_key: str = "FEntryID"
    compute: Callable[[dict[str, Any]], None] | None = None


@dataclass(frozen=True, slots=True)
class Form:
    """A business object as the WebAPI sees it."""

    form_id: str
    title: str
    id_key: str
    number_key: str
    number_prefix: str
    fields: tuple[Field, ...]
    entries: tuple[Entry, ...] = ()
    bill_types: tuple[str, ...] = ()
    compute: Callable[[dict[str, Any], dict[str, list[dict[str, Any]]]], None] | None = None
    subheads: tuple[str, ...] = ()
    """Sub-head objects (``FSaleOrderFinance``) whose keys are header fields on the wire."""
    _header: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)
    _entry: dict[str, tuple[Entry, Field]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._header.update({f.key.lower(): f for f in self.fields})
        for entry in self.entries:
            self._entry.update({f.key.lower(): (entry, f) for f in entry.fields})

    def header_field(self, key: str) -> Field | None:
        """The header field called ``key`` (any casing)."""
        return self._header.get(key.lower())

    def entry_of(self, key: str) -> tuple[Entry, Field] | None:
        """The entry table and field of an entry field key (any casing)."""
        return self._entry.get(key.lower())

    def entry(self, key: str) -> Entry | None:
        """The entry table called ``key`` (any casing)."""
        return next((e for e in self.entries if e.key.lower() == key.lower()), None)

    def is_subhead(self, key: str) -> bool:
        """Whether ``key`` names a sub-head object of this form."""
        return key.lower() in {s.lower() for s in self.subheads}


def _common(*, approve: bool = True) -> tuple[Field, ...]:
    fields = [
        Field("FDocumentStatus", "status", "单据状态", system=True),
        Field("FCreateDate", "datetime", "创建日期", system=True),
        Field("FModifyDate", "datetime", "修改日期", system=True),
    ]
    if approve:
        fields.append(Field("FApproveDate", "datetime", "审核日期", system=True))
    return tuple(fields)


def _line_amounts(
    row: dict[str, Any],
    *,
    qty: str,
    price: str,
    tax_price: str,
    rate: str,
    out: tuple[str, str, str],
) -> None:
    """Net, tax and gross of one line: from the tax-exclusive price, else the inclusive one."""
    net_key, tax_key, gross_key = out
    quantity = row.get(qty) or Decimal(1)
    pct = (row.get(rate) or Decimal(0)) / 100
    if row.get(price) is not None:
        net = money(quantity * row[price])
        tax = money(net * pct)
        gross = net + tax
    else:
        gross = money(quantity * (row.get(tax_price) or Decimal(0)))
        net = money(gross / (1 + pct))
        tax = gross - net
    row[net_key], row[tax_key], row[gross_key] = net, tax, gross


def _totals(header: dict[str, Any], rows: list[dict[str, Any]], pairs: dict[str, str]) -> None:
    for total, line in pairs.items():
        header[total] = sum((r.get(line) or Decimal(0) for r in rows), Decimal(0))


CUSTOMER = Form(
    "BD_Customer",
    "客户",
    id_key="FCUSTID",
    number_key="FNumber",
    number_prefix="CUST",
    fields=(
        Field("FCUSTID", "int", "内码", system=True),
        Field("FNumber", "text", "编码"),
        Field("FName", "text", "客户名称", required=True),
        Field("FShortName", "text", "简称"),
        Field("FCreateOrgId", "ref", "创建组织", ref="ORG", required=True),
        Field("FUseOrgId", "ref", "使用组织", ref="ORG"),
        Field("FSOCIALCRECODE", "text", "统一社会信用代码"),
        Field("FTAXREGISTERCODE", "text", "纳税登记号"),
        Field("FINVOICETITLE", "text", "发票抬头"),
        Field("FINVOICEBANKNAME", "text", "开户银行"),
        Field("FINVOICEBANKACCOUNT", "text", "银行账号"),
        Field("FINVOICETEL", "text", "开票联系电话"),
        Field("FINVOICEADDRESS", "text", "开票通讯地址"),
        Field("FADDRESS", "text", "通讯地址"),
        Field("FTEL", "text", "联系电话"),
        Field("FTRADINGCURRID", "ref", "结算币别", ref="CURRENCY"),
        Field("FSELLER", "ref", "销售员", ref="STAFF"),
        Field("FForbidStatus", "status", "禁用状态", system=True),
        *_common(approve=True),
    ),
)


def _order_rows(row: dict[str, Any]) -> None:
    _line_amounts(
        row,
        qty="FQty",
        price="FPrice",
        tax_price="FTaxPrice",
        rate="FEntryTaxRate",
        out=("FAmount", "FTaxAmount", "FAllAmount"),
    )


def _order_totals(header: dict[str, Any], entries: dict[str, list[dict[str, Any]]]) -> None:
    rows = entries.get("FSaleOrderEntry", [])
    _totals(
        header,
        rows,
        {"FBillAmount": "FAmount", "FBillTaxAmount": "FTaxAmount", "FBillAllAmount": "FAllAmount"},
    )


SALE_ORDER = Form(
    "SAL_SaleOrder",
    "销售订单",
    id_key="FID",
    number_key="FBillNo",
    number_prefix="XSDD",
    bill_types=("XSDD01_SYS", "XSDD02_SYS", "XSDD03_SYS", "XSDD05_SYS", "XSDD09_SYS"),
    fields=(
        Field("FID", "int", "内码", system=True),
        Field("FBillNo", "text", "单据编号"),
        Field("FBillTypeID", "ref", "单据类型", ref="BILLTYPE", required=True),
        Field("FDate", "date", "日期", required=True),
        Field("FSaleOrgId", "ref", "销售组织", ref="ORG", required=True),
        Field("FCustId", "ref", "客户", ref="BD_Customer", required=True),
        Field("FSalerId", "ref", "销售员", ref="STAFF"),
        Field("FSaleDeptId", "ref", "销售部门", ref="DEPT"),
        Field("FNote", "text", "备注"),
        Field("FSettleCurrId", "ref", "结算币别", ref="CURRENCY"),
        Field("FExchangeRate", "decimal", "汇率"),
        Field("FIsIncludedTax", "bool", "是否含税"),
        Field("FBillAmount", "decimal", "税额前金额", computed=True),
        Field("FBillTaxAmount", "decimal", "税额", computed=True),
        Field("FBillAllAmount", "decimal", "价税合计", computed=True),
        *_common(),
    ),
    entries=(
        Entry(
            "FSaleOrderEntry",
            (
                Field("FEntryID", "int", "分录内码", system=True),
                Field("FMaterialId", "ref", "物料编码", ref="MATERIAL", required=True),
                Field("FUnitID", "ref", "销售单位", ref="UNIT"),
                Field("FQty", "decimal", "销售数量"),
                Field("FPrice", "decimal", "单价"),
                Field("FTaxPrice", "decimal", "含税单价"),
                Field("FEntryTaxRate", "decimal", "税率%"),
                Field("FAmount", "decimal", "金额", computed=True),
                Field("FTaxAmount", "decimal", "税额", computed=True),
                Field("FAllAmount", "decimal", "价税合计", computed=True),
                Field("FDeliveryDate", "date", "要货日期"),
                Field("FSettleOrgIds", "ref", "结算组织", ref="ORG"),
                Field("FEntryNote", "text", "备注"),
            ),
            compute=_order_rows,
        ),
    ),
    compute=_order_totals,
    subheads=("FSaleOrderFinance",),
)


def _receivable_rows(row: dict[str, Any]) -> None:
    _line_amounts(
        row,
        qty="FPriceQty",
        price="FPrice",
        tax_price="FTaxPrice",
        rate="FEntryTaxRate",
        out=("FNoTaxAmountFor_D", "FTAXAMOUNTFOR_D", "FALLAMOUNTFOR_D"),
    )


def _receivable_totals(header: dict[str, Any], entries: dict[str, list[dict[str, Any]]]) -> None:
    _totals(
        header,
        entries.get("FEntityDetail", []),
        {
            "FNOTAXAMOUNTFOR": "FNoTaxAmountFor_D",
            "FTAXAMOUNTFOR": "FTAXAMOUNTFOR_D",
            "FALLAMOUNTFOR": "FALLAMOUNTFOR_D",
        },
    )


RECEIVABLE = Form(
    "AR_receivable",
    "应收单",
    id_key="FID",
    number_key="FBillNo",
    number_prefix="AR",
    bill_types=("YSD01_SYS", "YSD02_SYS"),
    fields=(
        Field("FID", "int", "内码", system=True),
        Field("FBillNo", "text", "单据编号"),
        Field("FBillTypeID", "ref", "单据类型", ref="BILLTYPE", required=True),
        Field("FDATE", "date", "业务日期", required=True),
        Field("FENDDATE_H", "date", "到期日"),
        Field("FCUSTOMERID", "ref", "客户", ref="BD_Customer", required=True),
        Field("FCURRENCYID", "ref", "币别", ref="CURRENCY", required=True),
        Field("FSETTLEORGID", "ref", "结算组织", ref="ORG", required=True),
        Field("FSALEORGID", "ref", "销售组织", ref="ORG"),
        Field("FPAYORGID", "ref", "收款组织", ref="ORG"),
        Field("FISPRICEEXCLUDETAX", "bool", "价外税"),
        Field("FBUSINESSTYPE", "text", "业务类型"),
        Field("FCancelStatus", "status", "作废状态", system=True),
        Field("FWRITTENOFFSTATUS", "status", "核销状态", system=True),
        Field("FNOTAXAMOUNTFOR", "decimal", "不含税金额", computed=True),
        Field("FTAXAMOUNTFOR", "decimal", "税额", computed=True),
        Field("FALLAMOUNTFOR", "decimal", "价税合计", computed=True),
        *_common(),
    ),
    entries=(
        Entry(
            "FEntityDetail",
            (
                Field("FEntryID", "int", "分录内码", system=True),
                Field("FMATERIALID", "ref", "物料编码", ref="MATERIAL"),
                Field("FMaterialDesc", "text", "物料说明"),
                Field("FPriceQty", "decimal", "计价数量"),
                Field("FPrice", "decimal", "单价"),
                Field("FTaxPrice", "decimal", "含税单价"),
                Field("FEntryTaxRate", "decimal", "税率%"),
                Field("FORDERNUMBER", "text", "销售订单号"),
                Field("FNoTaxAmountFor_D", "decimal", "不含税金额", computed=True),
                Field("FTAXAMOUNTFOR_D", "decimal", "税额", computed=True),
                Field("FALLAMOUNTFOR_D", "decimal", "价税合计", computed=True),
            ),
            compute=_receivable_rows,
        ),
    ),
    compute=_receivable_totals,
    subheads=("FsubHeadFinc",),
)


def _invoice_rows(row: dict[str, Any]) -> None:
    _line_amounts(
        row,
        qty="FPRICEQTY",
        price="FAUXPRICE",
        tax_price="FAUXTAXPRICE",
        rate="FTAXRATE",
        out=("FAMOUNTFOR", "FDETAILTAXAMOUNTFOR", "FALLAMOUNTFOR"),
    )


def _invoice_form(form_id: str, title: str, entry_key: str, prefix: str) -> Form:
    def totals(header: dict[str, Any], entries: dict[str, list[dict[str, Any]]]) -> None:
        _totals(
            header,
            entries.get(entry_key, []),
            {
                "FHEADAUXPRICEFOR": "FAMOUNTFOR",
                "FTAXAMOUNTFOR": "FDETAILTAXAMOUNTFOR",
                "FAFTERTOTALTAXFOR": "FALLAMOUNTFOR",
            },
        )

    return Form(
        form_id,
        title,
        id_key="FID",
        number_key="FBillNo",
        number_prefix=prefix,
        fields=(
            Field("FID", "int", "内码", system=True),
            Field("FBillNo", "text", "单据编号"),
            Field("FBillTypeID", "ref", "单据类型", ref="BILLTYPE"),
            Field("FDATE", "date", "业务日期", required=True),
            Field("FINVOICENO", "text", "发票号"),
            Field("FINVOICEDATE", "date", "发票日期"),
            Field("FCUSTOMERID", "ref", "客户", ref="BD_Customer", required=True),
            Field("FSETTLEORGID", "ref", "结算组织", ref="ORG", required=True),
            Field("FSALEORGID", "ref", "销售组织", ref="ORG"),
            Field("FCURRENCYID", "ref", "币别", ref="CURRENCY"),
            Field("FRedBlue", "text", "红蓝字"),
            Field("FCancelStatus", "status", "作废状态", system=True),
            Field("FHEADAUXPRICEFOR", "decimal", "不含税金额", computed=True),
            Field("FTAXAMOUNTFOR", "decimal", "税额", computed=True),
            Field("FAFTERTOTALTAXFOR", "decimal", "价税合计", computed=True),
            *_common(),
        ),
        entries=(
            Entry(
                entry_key,
                (
                    Field("FEntryID", "int", "分录内码", system=True),
                    Field("FMATERIALID", "ref", "物料编码", ref="MATERIAL"),
                    Field("FPRICEQTY", "decimal", "计价数量"),
                    Field("FAUXPRICE", "decimal", "单价"),
                    Field("FAUXTAXPRICE", "decimal", "含税单价"),
                    Field("FTAXRATE", "decimal", "税率%"),
                    Field("FSALESORDERNO", "text", "销售订单"),
                    Field("FSRCBILLNO", "text", "源单编号"),
                    Field("FAMOUNTFOR", "decimal", "不含税金额", computed=True),
                    Field("FDETAILTAXAMOUNTFOR", "decimal", "税额", computed=True),
                    Field("FALLAMOUNTFOR", "decimal", "价税合计", computed=True),
                ),
                compute=_invoice_rows,
            ),
        ),
        compute=totals,
    )


SALES_INVOICE_SPECIAL = _invoice_form("IV_SALESIC", "销售增值税专用发票", "FSALESICENTRY", "XSZP")
SALES_INVOICE_NORMAL = _invoice_form("IV_SALESOC", "销售普通发票", "FSALESOCENTRY", "XSPP")


def _receipt_totals(header: dict[str, Any], entries: dict[str, list[dict[str, Any]]]) -> None:
    _totals(header, entries.get("FRECEIVEBILLENTRY", []), {"FRECAMOUNTFOR": "FRECTOTALAMOUNTFOR"})


RECEIPT = Form(
    "AR_RECEIVEBILL",
    "收款单",
    id_key="FID",
    number_key="FBillNo",
    number_prefix="SKD",
    bill_types=("SKDLX01_SYS", "SKDLX02_SYS"),
    fields=(
        Field("FID", "int", "内码", system=True),
        Field("FBillNo", "text", "单据编号"),
        Field("FBillTypeID", "ref", "单据类型", ref="BILLTYPE", required=True),
        Field("FDATE", "date", "业务日期", required=True),
        Field("FCONTACTUNITTYPE", "text", "往来单位类型", required=True),
        Field("FCONTACTUNIT", "ref", "往来单位", ref="BD_Customer", required=True),
        Field("FPAYUNITTYPE", "text", "付款单位类型"),
        Field("FPAYUNIT", "ref", "付款单位", ref="BD_Customer"),
        Field("FCURRENCYID", "ref", "币别", ref="CURRENCY", required=True),
        Field("FSETTLECUR", "ref", "结算币别", ref="CURRENCY"),
        Field("FPAYORGID", "ref", "收款组织", ref="ORG", required=True),
        Field("FSETTLEORGID", "ref", "结算组织", ref="ORG"),
        Field("FSALEORGID", "ref", "销售组织", ref="ORG"),
        Field("FEXCHANGERATE", "decimal", "汇率"),
        Field("FRECAMOUNTFOR", "decimal", "收款金额", computed=True),
        *_common(),
    ),
    entries=(
        Entry(
            "FRECEIVEBILLENTRY",
            (
                Field("FEntryID", "int", "分录内码", system=True),
                Field("FSETTLETYPEID", "ref", "结算方式", ref="SETTLETYPE", required=True),
                Field("FPURPOSEID", "ref", "收款用途", ref="PURPOSE", required=True),
                Field("FRECTOTALAMOUNTFOR", "decimal", "应收金额", required=True),
                Field("FACCOUNTID", "ref", "我方银行账号", ref="BANKACCOUNT"),
                Field("FPOSTDATE", "date", "登账日期"),
                Field("FSALEORDERNO", "text", "销售订单号"),
                Field("FCOMMENT", "text", "备注"),
            ),
        ),
    ),
    compute=_receipt_totals,
)

FORMS: dict[str, Form] = {
    f.form_id.lower(): f
    for f in (
        CUSTOMER,
        SALE_ORDER,
        RECEIVABLE,
        SALES_INVOICE_SPECIAL,
        SALES_INVOICE_NORMAL,
        RECEIPT,
    )
}


def with_extension(form: Form, keys: tuple[str, ...]) -> Form:
    """The form with a customer's own ``F_`` text fields added (the hub's external key)."""
    extra = tuple(Field(k, "text", k) for k in keys if form.header_field(k) is None)
    if not extra:
        return form
    return Form(
        form.form_id,
        form.title,
        form.id_key,
        form.number_key,
        form.number_prefix,
        form.fields + extra,
        form.entries,
        form.bill_types,
        form.compute,
        form.subheads,
    )


BASE_DATA: dict[str, dict[str, str]] = {
    "ORG": {"100": "总部", "101": "华东销售公司"},
    "CURRENCY": {"PRE001": "人民币", "PRE007": "美元"},
    "BILLTYPE": {
        **{f"XSDD0{i}_SYS": "销售订单" for i in range(1, 10)},
        "YSD01_SYS": "标准应收单",
        "YSD02_SYS": "费用应收单",
        "SKDLX01_SYS": "销售收款单",
        "SKDLX02_SYS": "其他业务收款单",
    },
    "MATERIAL": {
        "SVC-DEV": "技术开发服务",
        "SVC-CONS": "技术咨询服务",
        "SW-LIC": "BaaS 平台软件许可",
        "SVC-OPS": "节点运维服务",
    },
    "UNIT": {"Pcs": "个", "Set": "套", "Ea": "项"},
    "SETTLETYPE": {
        "JSFS01_SYS": "现金",
        "JSFS02_SYS": "现金支票",
        "JSFS03_SYS": "转账支票",
        "JSFS04_SYS": "电汇",
        "JSFS05_SYS": "信汇",
        "JSFS06_SYS": "商业承兑汇票",
        "JSFS07_SYS": "银行承兑汇票",
    },
    "PURPOSE": {"SFKYT01_SYS": "销售收款", "SFKYT02_SYS": "预收款"},
    "STAFF": {"0001": "王伟", "0002": "李娜"},
    "DEPT": {"BM001": "销售部"},
    "BANKACCOUNT": {"6222000000000000": "招商银行杭州分行基本户"},
}
"""Base data other than customers: number -> name. Anything else is "not found"."""
