"""Configuration of a Kingdee K/3 Cloud connector instance."""

from __future__ import annotations

from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from connectors.sdk import ConnectorConfig
from connectors.sdk.urls import check_url_syntax


class FormOverride(BaseModel):
    """A stream re-pointed at another form (a contract form such as ``CRM_Contract``).

    The field keys of such forms vary by edition and licence and could not be
    verified, so they are given here rather than guessed; ``discover()`` lists
    what the server has. Bills are numbered by ``FBillNo``, which stays the
    stream's primary key.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    form_id: str = Field(min_length=1)
    id_key: str = "FID"
    header_keys: tuple[str, ...] = Field(min_length=1)
    entry_key: str | None = None
    entry_keys: tuple[str, ...] = ()
    date_keys: tuple[str, ...] = ()
    """Keys holding business dates (returned as ``date``)."""


class KingdeeConfig(ConnectorConfig):
    """Connection, credentials and write policy; see docs/connectors/kingdee.md."""

    base_url: str = Field(
        description="Site root including the virtual directory, e.g. https://erp.example.com/k3cloud/"
    )
    acct_id: str = Field(min_length=1, description="Data-centre id (账套 ID).")
    user_name: str = Field(min_length=1, description="Integration user.")
    auth: Literal["signed", "session"] = Field(
        "signed",
        description="signed: v8 SDK signed headers on every call; session: log in, then cookie.",
    )
    login: Literal["app_secret", "password"] = Field(
        "app_secret", description="Session login: LoginByAppSecret or ValidateUser (password)."
    )
    app_id: str | None = Field(None, description="Third-party app id, <clientId>_<32 chars>.")
    app_secret: SecretStr | None = None
    password: SecretStr | None = None
    lcid: int = Field(2052, description="Locale id (2052 = zh-CN).")
    org_num: int = Field(0, ge=0, description="Organisation number signed into app data (0: none).")
    sec_code: SecretStr | None = Field(
        None, description="The deployment's own x-kdapi-secpwd, if it replaced the default."
    )
    external_key_field: str | None = Field(
        "F_SyncHub_ID",
        description="Extension text field holding the hub id; empty: the number is the hub id.",
    )
    batch_size: int = Field(100, ge=1, le=1000, description="Models per BatchSave call.")
    page_size: int = Field(2000, ge=1, le=10000, description="Rows per ExecuteBillQuery call.")
    auto_audit: bool = Field(False, description="Submit and Audit after saving.")
    update_audited: Literal["unaudit", "fail"] = Field(
        "unaudit",
        description="Updating a submitted/audited record: un-audit (or cancel) it first, or fail.",
    )
    overlap_seconds: float = Field(300.0, ge=0, description="Incremental re-read window.")
    contract_form: FormOverride | None = Field(
        None, description="Read/write contracts from another form instead of SAL_SaleOrder."
    )
    invoice_normal_entry: str = Field(
        "FSALESOCENTRY", description="Entry key of IV_SALESOC (not verified across editions)."
    )

    @field_validator("base_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(check_url_syntax(value))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        if parts.username or parts.password:
            raise ValueError("must not carry credentials; use the credential fields")
        if parts.query or parts.fragment:
            raise ValueError("must not have a query string or fragment")
        return value if value.endswith("/") else value + "/"

    @field_validator("external_key_field")
    @classmethod
    def _check_key(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.replace("_", "").isalnum() or not value[0].isalpha():
            raise ValueError("must be a field key such as F_SyncHub_ID")
        return value

    @model_validator(mode="after")
    def _check_credentials(self) -> Self:
        needs_app = self.auth == "signed" or self.login == "app_secret"
        if needs_app and (not self.app_id or self.app_secret is None):
            raise ValueError(f"auth={self.auth!r} needs app_id and app_secret")
        if needs_app and self.app_id and len(self.app_id.partition("_")[2]) != 32:
            raise ValueError("app_id must look like <clientId>_<32 characters>")
        if not needs_app and self.password is None:
            raise ValueError("session login with password needs password")
        return self
