"""What a ZenTao connector instance needs to know, validated before any call is made."""

from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator

from connectors.sdk import ConnectorConfig
from connectors.sdk.urls import check_url_syntax


class ZentaoConfig(ConnectorConfig):
    """Connection and behaviour settings of one ZenTao installation.

    ``base_url`` is the ZenTao web root, often a sub-path (``https://pm.example.cn/zentao``);
    the connector appends ``/api.php/v1`` itself.
    """

    base_url: str = Field(description="ZenTao web root, e.g. https://pm.example.cn/zentao.")
    account: str = Field(min_length=1, description="Login name of the API user.")
    password: SecretStr = Field(description="Password of the API user.")
    product: int = Field(
        1,
        ge=1,
        description="Product that new projects link to and that holds plans and stories.",
    )
    page_size: int = Field(
        100, ge=1, le=500, description="Records asked for per list call (ZenTao accepts up to 500)."
    )
    timezone: str = Field(
        "Asia/Shanghai",
        description="Zone of the server's raw timestamps (fields ZenTao does not convert to UTC).",
    )
    incremental_order: str = Field(
        "lastEditedDate_desc",
        pattern=r"^[A-Za-z]+_(asc|desc)$",
        description="List order used to find edits since the cursor (ZenTao has no since-filter).",
    )
    overlap_seconds: int = Field(
        120, ge=0, description="Re-read window behind the cursor, for coarse or skewed clocks."
    )
    full_refresh_hours: float = Field(
        24.0,
        ge=0,
        description="Hours between full reconciliations of an incremental stream (0: never).",
    )

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        parts = urlsplit(check_url_syntax(value.strip()))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL of the ZenTao web root")
        if parts.username or parts.password:
            raise ValueError("must not contain credentials; use account and password")
        if parts.query or parts.fragment:
            raise ValueError("must not carry a query string or fragment")
        path = parts.path.rstrip("/")
        if path.endswith(("/api.php/v1", "/api.php")):
            raise ValueError("give the web root only; /api.php/v1 is added by the connector")
        return f"{parts.scheme}://{parts.netloc}{path}"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def api_url(self) -> str:
        """Root of the REST v1 API."""
        return f"{self.base_url}/api.php/v1"
