"""The connector acceptance suite against the Kingdee sandbox, over real sockets.

Three adoptions: signed headers (the v8 SDK style) on customers, session login by
password (ValidateUser) on customers, and session login by app secret on sales
orders, whose entry lines fan out into several query rows per record. Pages are
small so the paging tests stay fast. K/3 Cloud documents no deep-offset limit; the
customer adoptions still make the sandbox refuse offsets past 20, so the
deep-paging test proves reads never depend on deep offsets.
"""

from __future__ import annotations

from typing import Any, ClassVar

from connectors.testkit import ConnectorAcceptance


class _Kingdee(ConnectorAcceptance):
    connector = "kingdee"
    page_size = 5
    config_overrides: ClassVar[dict[str, Any]] = {"page_size": 5}


class TestKingdeeSignedAcceptance(_Kingdee):
    read_stream = "customers"
    write_stream = "customers"
    sandbox_options: ClassVar[dict[str, Any]] = {"auth_style": "signed", "max_start_row": 20}


class TestKingdeeSessionPasswordAcceptance(_Kingdee):
    read_stream = "customers"
    write_stream = "customers"
    sandbox_options: ClassVar[dict[str, Any]] = {
        "auth_style": "session",
        "login": "password",
        "max_start_row": 20,
    }


class TestKingdeeSalesOrderAcceptance(_Kingdee):
    """Sales orders with entry lines; no offset limit, so the suite reads many pages instead."""

    read_stream = "contracts"
    write_stream = "contracts"
    deep_paging = False
    sandbox_options: ClassVar[dict[str, Any]] = {"auth_style": "session", "login": "app_secret"}
