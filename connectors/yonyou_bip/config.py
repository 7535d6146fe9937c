"""Configuration of a YonBIP / YonSuite connector instance.

A tenant lives in one data centre; the connector either discovers its token and
gateway URLs from the tenant id or is given both explicitly (private routing,
tests). Everything the facts file marks UNCERTAIN is a setting with the
documented value as default.
"""

from __future__ import annotations

from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from connectors.sdk import ConnectorConfig
from connectors.sdk.urls import check_url_syntax

TOKEN_PATHS = {
    "current": "/open-auth/selfAppAuth/base/v1/getAccessToken",
    "legacy": "/open-auth/selfAppAuth/getAccessToken",
}


def check_base_url(value: str | None) -> str | None:
    """http(s) only, no credentials in the URL, no trailing slash."""
    if value is None:
        return None
    parts = urlsplit(check_url_syntax(value))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise ValueError("must not carry credentials; use app_key / app_secret")
    if parts.query or parts.fragment:
        raise ValueError("must not carry a query string or fragment")
    return value.rstrip("/")


class YonyouBipConfig(ConnectorConfig):
    """Settings of one YonBIP tenant connection."""

    app_key: str = Field(min_length=1, description="appKey of the self-built app.")
    app_secret: SecretStr = Field(description="appSecret of the self-built app.")
    tenant_id: str | None = Field(
        None, description="Tenant id; used to discover the data centre when URLs are not given."
    )
    discovery_url: str = Field(
        "https://apigateway.yonyoucloud.com",
        description="Host of the data-centre discovery service (getGatewayAddress).",
    )
    token_url: str | None = Field(
        None, description="Explicit auth base URL, e.g. https://c2.yonyoucloud.com/iuap-api-auth."
    )
    gateway_url: str | None = Field(
        None,
        description="Explicit gateway base URL, e.g. https://c2.yonyoucloud.com/iuap-api-gateway.",
    )
    token_path: Literal["current", "legacy"] = Field(
        "current", description="Token endpoint: base/v1 (2023-07) or the legacy path."
    )
    org_code: str = Field(
        "global00", description="Code of the organisation records are created in."
    )
    customer_class_code: str = Field("01", description="Customer class of created customers.")
    external_key_field: str = Field(
        "defines!define1",
        description="Header custom field holding the hub id (a flat key; '!' is part of it).",
    )
    page_size: int = Field(200, ge=1, le=500, description="Rows per list page.")
    overlap_seconds: int = Field(
        60, ge=0, description="Re-read window before the pubts watermark (clock resolution)."
    )
    rate_limit_wait: float = Field(
        5.0, gt=0, description="Seconds to wait after a 3100xx limit code (no Retry-After sent)."
    )
    rate_limit_codes: tuple[str, ...] = Field(
        ("310032", "310039", "310042", "310046"),
        description="Codes meaning 'throttled' (system, app, product, API level).",
    )

    @field_validator("discovery_url", "token_url", "gateway_url")
    @classmethod
    def _urls(cls, value: str | None) -> str | None:
        return check_base_url(value)

    @model_validator(mode="after")
    def _routing(self) -> Self:
        explicit = (self.token_url is not None, self.gateway_url is not None)
        if explicit in ((True, False), (False, True)):
            raise ValueError("give both token_url and gateway_url, or neither")
        if not any(explicit) and not self.tenant_id:
            raise ValueError("give tenant_id (to discover the data centre) or both URLs")
        return self

    @property
    def token_endpoint_path(self) -> str:
        """Path of the token endpoint under the auth base URL."""
        return TOKEN_PATHS[self.token_path]
