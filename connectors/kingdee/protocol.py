"""Wire-level constants of the K/3 Cloud WebAPI, shared by the connector and its sandbox.

Only facts about the protocol live here (service names, MsgCodes, the texts the
server sends, the date formats); what they *mean* to the connector is in
``client.py`` and what the simulator does with them is in ``sandbox/``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import IntEnum
from zoneinfo import ZoneInfo

SERVER_TZ = ZoneInfo("Asia/Shanghai")
"""The API sends times without a zone; K/3 Cloud servers in China run on UTC+8."""

SERVICE_SUFFIX = ".common.kdsvc"
STUB = "Kingdee.BOS.WebApi.ServicesStub."
AUTH_SERVICE = STUB + "AuthService."
FORM_SERVICE = STUB + "DynamicFormService."

LOGIN_BY_APP_SECRET = AUTH_SERVICE + "LoginByAppSecret"
VALIDATE_USER = AUTH_SERVICE + "ValidateUser"

SESSION_COOKIE = "kdservice-sessionid"
SESSION_LOST_MESSAGE = "会话信息已丢失，请重新登录"
CALL_LIMIT_MESSAGE = "接口调用次数超过限制，请稍后再试"
"""The wording of MsgCode 14 is not documented anywhere we could check; see the docs."""
RESPONSE_ERROR_PREFIX = "response_error:"
WRONG_ACCT_MESSAGE = "Fail to verify thirty passport"


class MsgCode(IntEnum):
    """``ResponseStatus.MsgCode`` values (one client's enum, confirmed for 1/4/8/9)."""

    OK = 0
    SESSION_LOST = 1
    NO_PERMISSION = 2
    OPERATION_EMPTY = 3
    EXCEPTION = 4
    FORM_ID_EMPTY = 5
    DB_FAILED = 6
    LICENCE = 7
    PARAMETER = 8
    FIELD_NOT_FOUND = 9
    DATA_NOT_FOUND = 10
    VALIDATION = 11
    NOT_OPERABLE = 12
    NETWORK_CONTROL = 13
    CALL_LIMIT = 14
    ADMIN_FORBIDDEN = 15


def service_path(service: str) -> str:
    """The path tail of a service, e.g. ``...DynamicFormService.Save.common.kdsvc``."""
    return service + SERVICE_SUFFIX


def format_datetime(value: datetime) -> str:
    """Server output: local wall time, no zone, milliseconds only when non-zero."""
    local = value.astimezone(SERVER_TZ) if value.tzinfo else value
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    millis = local.microsecond // 1000
    return f"{text}.{millis:03d}".rstrip("0") if millis else text


def format_date(value: date) -> str:
    """Dates come back as midnight datetimes."""
    return value.strftime("%Y-%m-%dT00:00:00")


def parse_server_datetime(text: str) -> datetime:
    """Parse ``yyyy-MM-dd[T| ]HH:mm:ss[.f...]`` (or a bare date) as Asia/Shanghai, aware.

    Fractional digits vary (0-7); Python takes at most 6, so extra ones are cut.
    Raises ``ValueError`` for anything else.
    """
    cleaned = text.strip().replace("T", " ")
    if "." in cleaned:
        head, _, frac = cleaned.partition(".")
        cleaned = f"{head}.{frac[:6]}"
    parsed = datetime.fromisoformat(cleaned)
    if parsed.tzinfo is not None:
        return parsed
    return parsed.replace(tzinfo=SERVER_TZ)
