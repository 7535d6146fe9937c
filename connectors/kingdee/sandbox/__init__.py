"""A simulator of the Kingdee K/3 Cloud WebAPI over real HTTP (``synchub sandbox kingdee``).

Covers: routing by service path under any virtual directory; both authentication
styles (session login through ``LoginByAppSecret`` / ``ValidateUser`` with the
``kdservice-sessionid`` cookie, and the v8 SDK's signed headers, verified);
sessions lost with MsgCode 1; ``ExecuteBillQuery`` / ``BillQuery`` with field
keys, dotted references, entry fan-out, FilterString, OrderString and row
windows; ``Save`` / ``BatchSave`` with per-model errors by DIndex;
``Submit`` / ``Audit`` / ``UnAudit`` / ``Delete`` / ``CancelAssign`` with the
document-status machine; ``View`` and ``QueryBusinessInfo``; the forms
BD_Customer, SAL_SaleOrder, AR_receivable, IV_SALESIC, IV_SALESOC and
AR_RECEIVEBILL. Switches: see ``KingdeeOptions``.

Split by responsibility: ``forms`` (declarations), ``store`` (record rules),
``query`` (query semantics), ``sessions`` (authentication), ``wire`` (bodies),
``server`` (HTTP handlers), ``seed`` (the fake business), ``simulator`` (the
``Sandbox`` subclass and its control hooks).
"""

from connectors.kingdee.sandbox.simulator import STREAM_FORMS, KingdeeOptions, KingdeeSandbox

__all__ = ["STREAM_FORMS", "KingdeeOptions", "KingdeeSandbox"]
