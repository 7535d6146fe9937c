"""Configuration of one Jira site: Cloud (email + API token) or Data Center (PAT).

What differs between sites and cannot be guessed safely is configurable: issue
types, marker labels, how a child names its epic (Cloud ``parent`` or Data
Center's "Epic Link" field, resolved by name because custom field ids differ per
site), and the incremental overlap window.
"""

from __future__ import annotations

import re
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from connectors.sdk import ConnectorConfig
from connectors.sdk.urls import check_url_syntax

_LABEL = re.compile(r"^\S{1,200}$")


class JiraConfig(ConnectorConfig):
    """A Jira site and the project contracts and milestones are delivered in."""

    flavour: Literal["cloud", "dc"] = Field(
        "cloud", description="cloud: REST v3 with email + API token; dc: REST v2 with a PAT."
    )
    base_url: str = Field(
        description="Site URL, e.g. https://acme.atlassian.net or https://jira.example.com/jira."
    )
    email: str | None = Field(None, description="Cloud: the integration user's e-mail.")
    api_token: SecretStr | None = Field(None, description="Cloud: that user's API token.")
    pat: SecretStr | None = Field(None, description="Data Center: a personal access token.")
    project_key: str = Field(description="Project the epics and milestone issues live in.")
    contract_issue_type: str = Field("Epic", description="Issue type a contract becomes.")
    milestone_issue_type: str = Field("Task", description="Issue type a milestone becomes.")
    contract_label: str = Field(
        "synchub-contract", description="Marker label on every contract issue (the epics stream)."
    )
    milestone_label: str = Field(
        "synchub-milestone", description="Marker label on every milestone issue."
    )
    key_label_prefix: str = Field(
        "synchub-", description="Prefix of the label holding the hub id (the external key)."
    )
    hub_url: str | None = Field(
        None, description="Hub base URL for the remote link on each contract issue; empty: none."
    )
    epic_link: Literal["auto", "parent", "field"] = Field(
        "auto",
        description="How a child names its epic: parent (Cloud), the Epic Link field (DC); auto picks by flavour.",
    )
    epic_link_field: str = Field("Epic Link", description="Name of DC's Epic Link field.")
    epic_name_field: str = Field(
        "Epic Name", description="Name of the Epic Name field, filled from the summary if present."
    )
    page_size: int = Field(100, ge=1, le=1000, description="Issues asked for per search page.")
    overlap_minutes: int = Field(
        5, ge=1, le=1440, description="Incremental reads look back this far (index lag, clocks)."
    )
    webhook_secret: SecretStr | None = Field(
        None, description="Secret of the admin webhook, to verify X-Hub-Signature."
    )

    @field_validator("base_url", "hub_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(check_url_syntax(value.strip()))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        if parts.username or parts.password:
            raise ValueError("must not carry credentials; use email/api_token or pat")
        if parts.query or parts.fragment:
            raise ValueError("must not have a query string or fragment")
        return value.strip().rstrip("/")

    @field_validator("project_key")
    @classmethod
    def _project_key(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,19}", value):
            raise ValueError(
                "a project key is letters, digits and underscores, starting with a letter"
            )
        return value.upper()

    @field_validator("contract_label", "milestone_label", "key_label_prefix")
    @classmethod
    def _label(cls, value: str) -> str:
        if not _LABEL.match(value):
            raise ValueError("Jira labels cannot contain spaces")
        return value

    @model_validator(mode="after")
    def _credentials(self) -> Self:
        if self.flavour == "cloud" and not (self.email and self.api_token):
            raise ValueError("Jira Cloud needs email and api_token")
        if self.flavour == "dc" and not self.pat:
            raise ValueError("Jira Data Center needs pat (a personal access token)")
        return self

    @property
    def api_version(self) -> str:
        """REST version spoken: 3 on Cloud (ADF), 2 on Data Center."""
        return "3" if self.flavour == "cloud" else "2"

    @property
    def uses_epic_link_field(self) -> bool:
        """Whether children name their epic through the Epic Link field."""
        if self.epic_link == "auto":
            return self.flavour == "dc"
        return self.epic_link == "field"
