"""The streams and the forms behind them, as data.

A ``FormSpec`` says which field keys a stream reads, which entry table is read
with them (rows are nested under the entry key, one dict per line, with the
line id as ``FEntryID``), which keys are the internal id and the number, and
which hold business dates. The connector never needs more than this to read,
write and look up a form.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from connectors.kingdee.config import FormOverride
from connectors.sdk import Capability, Stream

SYSTEM_TIMES = ("FCreateDate", "FModifyDate", "FApproveDate")
"""Server timestamps: no zone on the wire, Asia/Shanghai once read."""


@dataclass(frozen=True, slots=True)
class FormSpec:
    """What one stream reads from one form."""

    form_id: str
    id_key: str
    number_key: str
    header_keys: tuple[str, ...]
    entry_key: str | None = None
    entry_keys: tuple[str, ...] = ()
    date_keys: tuple[str, ...] = ()
    modify_key: str = "FModifyDate"

    def query_keys(self, extra: tuple[str, ...] = ()) -> list[str]:
        """FieldKeys in order: header (id, number first), extra, entry id, entry fields."""
        keys = [self.id_key, self.number_key, self.modify_key]
        keys += [k for k in (*self.header_keys, *extra) if k not in keys]
        if self.entry_key:
            keys.append(self.entry_id_key)
            keys += list(self.entry_keys)
        return keys

    @property
    def entry_id_key(self) -> str:
        """The query key of the entry line id, ``<EntryKey>_FEntryID``."""
        return f"{self.entry_key}_FEntryID"


_ORDER_ENTRY = (
    "FMaterialId.FNumber",
    "FQty",
    "FPrice",
    "FTaxPrice",
    "FEntryTaxRate",
    "FAmount",
    "FTaxAmount",
    "FAllAmount",
    "FDeliveryDate",
)
_INVOICE_HEADER = (
    "FDATE",
    "FINVOICENO",
    "FINVOICEDATE",
    "FCUSTOMERID.FNumber",
    "FCUSTOMERID.FName",
    "FSETTLEORGID.FNumber",
    "FCURRENCYID.FNumber",
    "FRedBlue",
    "FHEADAUXPRICEFOR",
    "FTAXAMOUNTFOR",
    "FAFTERTOTALTAXFOR",
    "FCancelStatus",
    "FDocumentStatus",
    "FCreateDate",
    "FApproveDate",
)
_INVOICE_ENTRY = (
    "FMATERIALID.FNumber",
    "FPRICEQTY",
    "FAUXPRICE",
    "FAUXTAXPRICE",
    "FTAXRATE",
    "FAMOUNTFOR",
    "FDETAILTAXAMOUNTFOR",
    "FALLAMOUNTFOR",
    "FSALESORDERNO",
    "FSRCBILLNO",
)

FORMS: dict[str, FormSpec] = {
    "customers": FormSpec(
        "BD_Customer",
        id_key="FCUSTID",
        number_key="FNumber",
        header_keys=(
            "FName",
            "FShortName",
            "FSOCIALCRECODE",
            "FTAXREGISTERCODE",
            "FINVOICETITLE",
            "FINVOICEBANKNAME",
            "FINVOICEBANKACCOUNT",
            "FINVOICETEL",
            "FINVOICEADDRESS",
            "FADDRESS",
            "FTEL",
            "FCreateOrgId.FNumber",
            "FUseOrgId.FNumber",
            "FTRADINGCURRID.FNumber",
            "FDocumentStatus",
            "FForbidStatus",
            "FCreateDate",
        ),
    ),
    "contracts": FormSpec(
        "SAL_SaleOrder",
        id_key="FID",
        number_key="FBillNo",
        header_keys=(
            "FBillTypeID.FNumber",
            "FDate",
            "FSaleOrgId.FNumber",
            "FCustId.FNumber",
            "FCustId.FName",
            "FSalerId.FNumber",
            "FNote",
            "FSettleCurrId.FNumber",
            "FBillAmount",
            "FBillTaxAmount",
            "FBillAllAmount",
            "FDocumentStatus",
            "FCreateDate",
            "FApproveDate",
        ),
        entry_key="FSaleOrderEntry",
        entry_keys=_ORDER_ENTRY,
        date_keys=("FDate", "FDeliveryDate"),
    ),
    "invoices_special": FormSpec(
        "IV_SALESIC",
        id_key="FID",
        number_key="FBillNo",
        header_keys=_INVOICE_HEADER,
        entry_key="FSALESICENTRY",
        entry_keys=_INVOICE_ENTRY,
        date_keys=("FDATE", "FINVOICEDATE"),
    ),
    "invoices_normal": FormSpec(
        "IV_SALESOC",
        id_key="FID",
        number_key="FBillNo",
        header_keys=_INVOICE_HEADER,
        entry_key="FSALESOCENTRY",
        entry_keys=_INVOICE_ENTRY,
        date_keys=("FDATE", "FINVOICEDATE"),
    ),
    "receivables": FormSpec(
        "AR_receivable",
        id_key="FID",
        number_key="FBillNo",
        header_keys=(
            "FBillTypeID.FNumber",
            "FDATE",
            "FENDDATE_H",
            "FCUSTOMERID.FNumber",
            "FCUSTOMERID.FName",
            "FCURRENCYID.FNumber",
            "FSETTLEORGID.FNumber",
            "FNOTAXAMOUNTFOR",
            "FTAXAMOUNTFOR",
            "FALLAMOUNTFOR",
            "FWRITTENOFFSTATUS",
            "FCancelStatus",
            "FDocumentStatus",
            "FCreateDate",
            "FApproveDate",
        ),
        entry_key="FEntityDetail",
        entry_keys=(
            "FMATERIALID.FNumber",
            "FPriceQty",
            "FPrice",
            "FTaxPrice",
            "FEntryTaxRate",
            "FNoTaxAmountFor_D",
            "FTAXAMOUNTFOR_D",
            "FALLAMOUNTFOR_D",
            "FORDERNUMBER",
        ),
        date_keys=("FDATE", "FENDDATE_H"),
    ),
    "payments": FormSpec(
        "AR_RECEIVEBILL",
        id_key="FID",
        number_key="FBillNo",
        header_keys=(
            "FBillTypeID.FNumber",
            "FDATE",
            "FCONTACTUNIT.FNumber",
            "FCONTACTUNIT.FName",
            "FCURRENCYID.FNumber",
            "FPAYORGID.FNumber",
            "FRECAMOUNTFOR",
            "FDocumentStatus",
            "FCreateDate",
            "FApproveDate",
        ),
        entry_key="FRECEIVEBILLENTRY",
        entry_keys=(
            "FSETTLETYPEID.FNumber",
            "FPURPOSEID.FNumber",
            "FRECTOTALAMOUNTFOR",
            "FACCOUNTID.FNumber",
            "FPOSTDATE",
            "FSALEORDERNO",
            "FCOMMENT",
        ),
        date_keys=("FDATE", "FPOSTDATE"),
    ),
}

_WRITE = frozenset({Capability.READ_FULL, Capability.READ_INCREMENTAL, Capability.WRITE})
ENTITIES = {
    "customers": ("customer", "Customers (BD_Customer)."),
    "contracts": ("contract", "Contracts as sales orders (SAL_SaleOrder) unless configured."),
    "invoices_special": ("invoice", "VAT special invoices (IV_SALESIC)."),
    "invoices_normal": ("invoice", "VAT normal invoices (IV_SALESOC)."),
    "receivables": ("invoice", "Receivables (AR_receivable): the AR document finance ages."),
    "payments": ("payment", "Receipts (AR_RECEIVEBILL)."),
}


def declare_streams(page_size: int = 2000, batch_size: int = 100) -> tuple[Stream, ...]:
    """The stream declarations; primary key is the number, the cursor the modify date."""
    return tuple(
        Stream(
            name=name,
            entity=entity,
            primary_key=FORMS[name].number_key,
            cursor_field="FModifyDate",
            capabilities=_WRITE,
            write_batch_size=batch_size,
            page_size=page_size,
            external_key_field="F_SyncHub_ID",
            description=description,
        )
        for name, (entity, description) in ENTITIES.items()
    )


def resolve_forms(contract: FormOverride | None, invoice_normal_entry: str) -> dict[str, FormSpec]:
    """The specs after configuration: a contract form switch and the IV_SALESOC entry key."""
    forms = dict(FORMS)
    forms["invoices_normal"] = replace(forms["invoices_normal"], entry_key=invoice_normal_entry)
    if contract is not None:
        forms["contracts"] = FormSpec(
            contract.form_id,
            id_key=contract.id_key,
            number_key="FBillNo",
            header_keys=contract.header_keys,
            entry_key=contract.entry_key,
            entry_keys=contract.entry_keys,
            date_keys=contract.date_keys,
        )
    return forms
