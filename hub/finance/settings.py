"""Finance settings: forecast assumptions, risk thresholds, record links, the daily digest.

These are policies finance tunes (how long customers take to pay, how late is
"overdue enough" to alert), so they live in configuration, not in code. SMTP
credentials come from the environment (``SYNCHUB_FINANCE__SMTP__PASSWORD``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class SmtpSettings(BaseModel):
    """The mail server the digest is sent through; no host means "write the file only"."""

    model_config = ConfigDict(extra="forbid")

    host: str | None = Field(None, description="SMTP server; unset: the digest is only written.")
    port: int = Field(587, ge=1, le=65535, description="SMTP port (587 STARTTLS, 465 TLS).")
    security: str = Field(
        "starttls", description="starttls, tls (implicit, port 465) or none (trusted relay)."
    )
    username: str | None = Field(None, description="Login user; unset: no authentication.")
    password: SecretStr | None = Field(None, description="Login password (environment only).")
    sender: str = Field("synchub@localhost", description="From address of the digest.")
    timeout_seconds: float = Field(30.0, gt=0, description="Connect and command timeout.")

    @field_validator("security")
    @classmethod
    def _security(cls, value: str) -> str:
        if value not in ("starttls", "tls", "none"):
            raise ValueError("expected starttls, tls or none")
        return value


class DigestSettings(BaseModel):
    """The daily risk-alert digest (written under ``data_dir/reports``, mailed when SMTP is set)."""

    model_config = ConfigDict(extra="forbid")

    recipients: list[str] = Field(
        default_factory=list, description="E-mail addresses the digest goes to."
    )
    subject: str = Field("SyncHub finance risk digest", description="Subject line prefix.")
    max_rows: int = Field(50, ge=1, le=1000, description="Rows per section of the digest.")


class FinanceSettings(BaseModel):
    """What the finance workspace assumes and where it links to."""

    model_config = ConfigDict(extra="forbid")

    payment_days: int = Field(
        30,
        ge=0,
        le=365,
        description="Forecast: days from a milestone's due date (or today, if it is past) to cash.",
    )
    overdue_alert_days: int = Field(
        0, ge=0, description="Risk alerts list invoices more than this many days past due."
    )
    milestone_slip_days: int = Field(
        0, ge=0, description="Risk alerts list milestones more than this many days past due."
    )
    record_links: dict[str, str] = Field(
        default_factory=dict,
        description="Per connector instance, a URL template to open a record in the vendor "
        "system: {remote_id}, {remote_key}, {stream}, {entity}.",
    )
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
