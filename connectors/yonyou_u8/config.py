"""Configuration of a U8 OpenAPI connector instance (cloud relay in front of an on-premise U8).

Every call carries ``from_account`` (the caller), ``to_account`` (the
enterprise's U8 account), ``app_key``, the token and optionally ``ds_sequence``
(which U8 account set). What the facts file marks UNCERTAIN is a setting.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from connectors.sdk import ConnectorConfig
from connectors.sdk.urls import check_url_syntax


def check_base_url(value: str) -> str:
    """http(s) only, a host, no credentials, no query; trailing slash removed."""
    parts = urlsplit(check_url_syntax(value))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise ValueError("must not carry credentials; use app_key / app_secret")
    if parts.query or parts.fragment:
        raise ValueError("must not carry a query string or fragment")
    return value.rstrip("/")


class YonyouU8Config(ConnectorConfig):
    """Settings of one U8 account behind the OpenAPI relay."""

    base_url: str = Field("https://api.yonyouup.com", description="OpenAPI relay base URL.")
    from_account: str = Field(min_length=1, description="Caller (developer) account id.")
    to_account: str = Field(min_length=1, description="The enterprise's U8 account id.")
    app_key: str = Field(min_length=1, description="app_key (opa + 16 hex).")
    app_secret: SecretStr = Field(description="app_secret; sent in clear to /system/token only.")
    ds_sequence: int | None = Field(None, ge=1, description="U8 data source; empty: the first.")
    idempotency: Literal["biz_id", "tradeid"] = Field(
        "biz_id",
        description="biz_id: the hub id dedupes adds across runs; tradeid: a fresh trade per add.",
    )
    customer_key_field: str = Field(
        "self_define1", description="Customer custom item holding the hub id."
    )
    voucher_key_field: str = Field(
        "define11", description="Voucher header custom item (text) holding the hub id."
    )
    page_size: int = Field(50, ge=1, le=200, description="rows_per_page.")
    overlap_seconds: int = Field(60, ge=0, description="Re-read window for customer ModifyDate.")
    voucher_window_days: int = Field(
        31, ge=1, description="Voucher lists filter by document date only: re-read this window."
    )
    synchronous_add: bool = Field(
        False, description="Send sync=1 to get add results inline (one SDK does; UNCERTAIN)."
    )
    poll_interval: float = Field(3.0, gt=0, description="Seconds between polls of an add result.")
    poll_attempts: int = Field(10, ge=1, description="Polls of an add result before giving up.")
    token_error_codes: tuple[str, ...] = Field(
        ("30001", "30002"), description="errcodes meaning 'token invalid or expired'."
    )
    no_data_code: str = Field("20002", description="errcode meaning 'query matched nothing'.")

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_base_url(value)
