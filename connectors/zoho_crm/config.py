"""Configuration of a Zoho CRM connector instance.

A refresh token works only against the accounts server of the data centre that
issued it, so the data centre is a required choice, never a default. The API
host is *not* configured: Zoho names it in every token response (``api_domain``)
and the connector uses that, the rule the official SDK follows.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from connectors.sdk import ConnectorConfig
from connectors.sdk.urls import check_url_syntax

DataCentre = Literal["us", "eu", "in", "cn", "au", "jp", "ca", "sa"]
Environment = Literal["production", "sandbox", "developer"]

ACCOUNTS_SERVERS: dict[str, str] = {
    "us": "https://accounts.zoho.com",
    "eu": "https://accounts.zoho.eu",
    "in": "https://accounts.zoho.in",
    "cn": "https://accounts.zoho.com.cn",
    "au": "https://accounts.zoho.com.au",
    "jp": "https://accounts.zoho.jp",
    "ca": "https://accounts.zohocloud.ca",
    "sa": "https://accounts.zoho.sa",
}
"""Accounts (OAuth) server per data centre; note Canada's ``zohocloud.ca``."""

API_DOMAINS: dict[str, str] = {
    "us": "zohoapis.com",
    "eu": "zohoapis.eu",
    "in": "zohoapis.in",
    "cn": "zohoapis.com.cn",
    "au": "zohoapis.com.au",
    "jp": "zohoapis.jp",
    "ca": "zohoapis.ca",
    "sa": "zohoapis.sa",
}
_HOST_PREFIX: dict[str, str] = {"production": "www", "sandbox": "sandbox", "developer": "developer"}


def check_base_url(value: str, *, what: str) -> str:
    """An http(s) URL without credentials, query or fragment, with no trailing slash."""
    parts = urlsplit(check_url_syntax(value))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} must be an http:// or https:// URL")
    if parts.username or parts.password:
        raise ValueError(f"{what} must not carry credentials")
    if parts.query or parts.fragment:
        raise ValueError(f"{what} must not carry a query string or fragment")
    return value.rstrip("/")


class ZohoCrmConfig(ConnectorConfig):
    """What an admin enters for one Zoho CRM org (a self-client's credentials)."""

    data_centre: DataCentre = Field(
        description="Zoho data centre that issued the refresh token (cn for zoho.com.cn)."
    )
    environment: Environment = Field(
        "production", description="Production org, or the sandbox/developer org of the same DC."
    )
    accounts_url: str | None = Field(
        None, description="Accounts server; empty means the data centre's own (only for testing)."
    )
    client_id: str = Field(min_length=1, description="Self-client id (1000.XXXX).")
    client_secret: SecretStr = Field(description="Self-client secret.")
    refresh_token: SecretStr = Field(description="Refresh token minted for the self-client.")
    api_version: str = Field("v8", pattern=r"^v[0-9]+(\.[0-9]+)?$", description="CRM API version.")
    contracts_module: str = Field(
        "Contracts", description="API name of the custom Contracts module."
    )
    payments_module: str = Field("Payments", description="API name of the custom Payments module.")
    milestones_field: str = Field(
        "Milestones", description="API name of the Contracts subform holding milestones."
    )
    milestones_module: str = Field(
        "Milestones", description="API name of that subform's own module (for COQL look-ups)."
    )
    external_key_field: str = Field(
        "SyncHub_ID", description="Unique custom text field holding the hub id in each module."
    )
    triggers: tuple[str, ...] = Field(
        (),
        description="Automations to run on writes (workflow, approval, blueprint); none by default.",
    )
    page_size: int = Field(200, ge=1, le=200, description="Records per list page (Zoho max 200).")

    @field_validator("accounts_url")
    @classmethod
    def _accounts_url(cls, value: str | None) -> str | None:
        return None if value is None else check_base_url(value, what="accounts_url")

    @property
    def accounts_server(self) -> str:
        """The accounts server tokens are minted at."""
        return self.accounts_url or ACCOUNTS_SERVERS[self.data_centre]

    @property
    def token_url(self) -> str:
        """The OAuth token endpoint."""
        return f"{self.accounts_server}/oauth/v2/token"

    @property
    def default_api_domain(self) -> str:
        """The API host to expect when a token response names none."""
        return f"https://{_HOST_PREFIX[self.environment]}.{API_DOMAINS[self.data_centre]}"
