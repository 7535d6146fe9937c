"""The remote fields each stream carries, for ``discover()``, mapping authors and the UI."""

from __future__ import annotations

from connectors.sdk import FieldInfo

_COMMON = (
    FieldInfo("id", "string", "主键", read_only=True),
    FieldInfo("code", "string", "编码 / 单据号"),
    FieldInfo("pubts", "datetime", "时间戳 (yyyy-MM-dd HH:mm:ss, China time)", read_only=True),
    FieldInfo("defines!define1", "string", "自定义项1 (holds the hub id)"),
)

FIELDS: dict[str, tuple[FieldInfo, ...]] = {
    "customers": (
        *_COMMON,
        FieldInfo("name", "multilang", "客户名称 {simplifiedName}", required=True),
        FieldInfo("shortname", "multilang", "简称"),
        FieldInfo("creditCode", "string", "统一社会信用代码"),
        FieldInfo("createOrgCode", "string", "管理组织编码"),
        FieldInfo("customerClassCode", "string", "客户分类编码"),
        FieldInfo("taxPayingCategories", "integer", "纳税类别", options=("0", "1", "2", "99")),
        FieldInfo("industry", "string", "行业"),
        FieldInfo("merchantAddressInfos", "array", "地址 [{addressCode,address,isDefault}]"),
        FieldInfo("merchantContactInfos", "array", "联系人 [{fullName,telePhone,email,isDefault}]"),
        FieldInfo("merchantAgentFinancialInfos", "array", "银行 [{bankName,bankAccount,...}]"),
        FieldInfo("merchantAppliedDetail", "object", "业务信息 {stopstatus}"),
    ),
    "sales_orders": (
        *_COMMON,
        FieldInfo("vouchdate", "datetime", "单据日期", required=True),
        FieldInfo("agentId", "string", "客户 (id or code)", required=True, reference="customers"),
        FieldInfo("salesOrgId", "string", "销售组织"),
        FieldInfo("transactionTypeId", "string", "交易类型"),
        FieldInfo("payMoney", "decimal", "含税金额 (sum of lines)"),
        FieldInfo("orderPrices!currency", "string", "币种"),
        FieldInfo("memo", "string", "备注 (contract title)"),
        FieldInfo("defines!define2", "string", "合同类型"),
        FieldInfo("verifystate", "integer", "审批状态", options=("0", "1", "2")),
        FieldInfo("orderDetails", "array", "订单行"),
    ),
    "sales_invoices": (
        *_COMMON,
        FieldInfo("vouchdate", "datetime", "开票日期", required=True),
        FieldInfo("agentId", "string", "客户", required=True, reference="customers"),
        FieldInfo("orderNo", "string", "来源订单号", reference="sales_orders"),
        FieldInfo("invoiceType", "string", "发票类型", options=("1", "2", "3")),
        FieldInfo("oriMoney", "decimal", "无税金额"),
        FieldInfo("oriTax", "decimal", "税额"),
        FieldInfo("oriSum", "decimal", "价税合计"),
        FieldInfo("maturitydate", "date", "到期日"),
        FieldInfo("verifystate", "integer", "审批状态", options=("0", "1", "2")),
        FieldInfo("saleInvoiceDetails", "array", "发票行"),
    ),
    "receivables": (
        *_COMMON,
        FieldInfo("vouchdate", "date", "单据日期", required=True),
        FieldInfo("customer", "string", "客户 id", read_only=True, reference="customers"),
        FieldInfo("customer_code", "string", "客户 (code or id)", required=True),
        FieldInfo("oriSum", "decimal", "金额"),
        FieldInfo("maturitydate", "date", "到期日"),
        FieldInfo("contractno", "string", "合同号"),
        FieldInfo("oarDetail", "array", "明细"),
    ),
    "receipts": (
        *_COMMON,
        FieldInfo("vouchdate", "date", "单据日期", required=True),
        FieldInfo("customer", "string", "客户 id", read_only=True, reference="customers"),
        FieldInfo("customer_code", "string", "客户 (code or id)", required=True),
        FieldInfo("oriSum", "decimal", "收款金额"),
        FieldInfo("invoiceno", "string", "发票号", reference="sales_invoices"),
        FieldInfo("settlemode_code", "string", "结算方式", options=("1", "2")),
        FieldInfo("ReceiveBill_b", "array", "收款明细"),
    ),
}
