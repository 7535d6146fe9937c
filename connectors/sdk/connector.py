"""The connector contract: a declared class with a config model, streams and four verbs.

A connector knows nothing of the hub: it reads and writes its vendor's records
as plain dicts and reports each record's fate. Everything every connector
needs (HTTP, retries, pacing, auth refresh, errors, masking) comes from the SDK,
so a vendor package holds only what its vendor does differently.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, Self, TypeVar, get_args

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from connectors.sdk.errors import ConfigError
from connectors.sdk.http import HttpClient, HttpOptions, RequestStats
from connectors.sdk.masking import register_model_secrets
from connectors.sdk.retry import Sleep
from connectors.sdk.streams import (
    Capability,
    CheckResult,
    FieldInfo,
    Page,
    Record,
    Stream,
    WriteRequest,
    WriteResult,
)
from connectors.sdk.webhooks import verify_shared_secret


class ConnectorConfig(BaseModel):
    """Base of every connector's config model: unknown keys are errors, secrets are SecretStr."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    http: HttpOptions = Field(default_factory=HttpOptions)
    webhook_secret: SecretStr | None = Field(
        None,
        description="Shared secret of the vendor's change notifications (the token a Zoho "
        "channel sends, the HMAC key of a signed webhook); empty refuses every notification.",
    )


ConfigT = TypeVar("ConfigT", bound=ConnectorConfig)


def describe_validation_error(
    error: ValidationError, *, prefix: str = "", secret_fields: Iterable[str] = ()
) -> str:
    """One line per bad field: the field path, the value given and what was expected.

    The value is never shown for a secret (a ``secret_fields`` name or a
    secret-looking path) nor for a whole section: a rule on the whole config
    (``(root)``) would otherwise print every field, secrets under names no
    pattern recognises (Kingdee's ``sec_code``) included.
    """
    secrets = set(secret_fields)
    lines = []
    for item in error.errors(include_url=False):
        path = ".".join(str(p) for p in item["loc"]) or "(root)"
        value = item.get("input")
        head = str(item["loc"][0]) if item["loc"] else ""
        if _looks_secret(path) or head in secrets:
            shown = "<hidden>"
        elif isinstance(value, dict | list):
            shown = f"<{type(value).__name__} of {len(value)} items>"
        else:
            shown = repr(value)
        if item["type"] == "missing":
            lines.append(f"{prefix}{path}: required, but missing")
        else:
            lines.append(f"{prefix}{path}: {item['msg']} (got {shown})")
    return "; ".join(lines)


def secret_field_names(model: type[BaseModel]) -> set[str]:
    """Fields of ``model`` typed ``SecretStr`` (optional or not)."""
    return {
        name
        for name, info in model.model_fields.items()
        if info.annotation is SecretStr or SecretStr in get_args(info.annotation)
    }


def _looks_secret(path: str) -> bool:
    lowered = path.lower()
    return any(word in lowered for word in ("secret", "password", "token", "key", "pat"))


class Connector(ABC, Generic[ConfigT]):
    """Base class of every connector; subclasses declare the class attributes below.

    Lifetime: build one per connector instance, use it inside ``async with`` (or
    call ``aclose``), and share it between the streams of a run so pacing and
    authentication are per instance, as vendors count them.
    """

    name: ClassVar[str]
    """Registry name, as used in configuration and on the command line (``zoho-crm``)."""
    title: ClassVar[str]
    """Human name for the UI (``Zoho CRM``)."""
    config_model: ClassVar[type[ConnectorConfig]]
    streams: ClassVar[tuple[Stream, ...]]
    sandbox: ClassVar[str | None] = None
    """``module:Class`` reference of the vendor simulator, found by the CLI and the testkit."""

    def __init__(
        self,
        config: ConfigT | Mapping[str, Any],
        *,
        instance: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.config: ConfigT = self.parse_config(config)
        self.instance = instance or self.name
        self._transport = transport
        self._sleep = sleep
        register_model_secrets(self.config)

    @classmethod
    def parse_config(cls, config: ConfigT | Mapping[str, Any]) -> ConfigT:
        """Validate ``config``; a ``ConfigError`` names every bad field and what it needs."""
        if isinstance(config, cls.config_model):
            return config
        try:
            return cls.config_model.model_validate(config)  # type: ignore[return-value]
        except ValidationError as exc:
            raise ConfigError(
                f"invalid {cls.name} configuration: "
                + describe_validation_error(
                    exc, secret_fields=secret_field_names(cls.config_model)
                ),
                connector=cls.name,
            ) from None

    def http_client(
        self,
        *,
        base_url: str = "",
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpClient:
        """An ``HttpClient`` wired with this instance's options, transport and sleep."""
        kwargs: dict[str, Any] = {}
        if self._sleep is not None:
            kwargs["sleep"] = self._sleep
        return HttpClient(
            connector=self.instance,
            base_url=base_url,
            options=self.config.http,
            auth=auth,
            headers=headers,
            transport=self._transport,
            **kwargs,
        )

    def stream(self, name: str) -> Stream:
        """The declared stream called ``name``, or a ``ConfigError`` listing the real ones."""
        for stream in self.streams:
            if stream.name == name:
                return stream
        known = ", ".join(s.name for s in self.streams)
        raise ConfigError(
            f"unknown stream {name!r}; this connector has: {known}", connector=self.instance
        )

    def _require(self, stream: Stream, capability: Capability) -> None:
        if not stream.can(capability):
            raise ConfigError(
                f"stream {stream.name!r} does not support {capability.value}",
                connector=self.instance,
                stream=stream.name,
            )

    @property
    @abstractmethod
    def stats(self) -> RequestStats:
        """Request counters of this instance since it was built."""

    @abstractmethod
    async def check(self) -> CheckResult:
        """Prove credentials and reachability; the message says what to fix, never a secret."""

    @abstractmethod
    def read(self, stream: str, since: Any = None) -> AsyncIterator[Page]:
        """Pages of remote records after cursor ``since`` (``None``: everything).

        Each page's ``cursor`` is safe to checkpoint once the page is stored; reading
        again from it repeats nothing that was stored and skips nothing that was not.
        """

    def read_deleted(self, stream: str, since: Any = None) -> AsyncIterator[Page]:
        """Tombstones (records with at least the primary key) deleted after ``since``."""
        self._require(self.stream(stream), Capability.READ_DELETED)
        raise AssertionError("a stream declaring READ_DELETED must override read_deleted")

    async def write(self, stream: str, requests: Sequence[WriteRequest]) -> list[WriteResult]:
        """Create or update records, batching at the vendor's maximum; one result per request.

        A record the vendor refuses fails alone (``status="failed"`` with the vendor's
        reason); only a failure of the whole call (auth, transport) raises.
        """
        self._require(self.stream(stream), Capability.WRITE)
        raise AssertionError("a stream declaring WRITE must override write")

    async def lookup(self, stream: str, external_keys: Sequence[str]) -> dict[str, Record]:
        """Remote records already carrying these external keys, by key.

        The sync engine calls this before re-trying a create whose outcome it never
        learned, so a crash between "sent" and "recorded" cannot make a duplicate.
        """
        self._require(self.stream(stream), Capability.WRITE)
        raise AssertionError("a stream declaring WRITE must override lookup")

    def authenticate_webhook(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether a change notification (raw ``body``) really comes from this instance's vendor.

        The default accepts the two shared-secret schemes vendors use, against
        ``config.webhook_secret``: an ``X-Hub-Signature: sha256=<HMAC of the body>``
        header, or a ``token`` field in a JSON body (Zoho CRM notification
        channels). A connector whose vendor signs otherwise overrides this; it
        must never raise, and never accept without a secret.
        """
        secret = self.config.webhook_secret
        if secret is None:
            return False
        return verify_shared_secret(secret.get_secret_value(), headers, body)

    async def refresh_credentials(self, within: timedelta) -> datetime | None:
        """Renew held credentials that would lapse ``within`` from now; return their expiry.

        The hub's maintenance job calls this on a timer so credentials that outlive
        a run (a rotating refresh token, a notification channel) are renewed before
        they lapse. The default holds none and returns ``None``: connectors mint
        short-lived tokens per run, and ``RefreshingAuth`` renews those during a run.
        """
        return None

    async def discover(self) -> dict[str, list[FieldInfo]]:
        """Remote fields per stream; the default reports none."""
        return {stream.name: [] for stream in self.streams}

    async def aclose(self) -> None:
        """Release connections; the default has none to release."""
        return

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @staticmethod
    def record_id(record: Record, stream: Stream) -> str:
        """The record's primary key as a string (vendors mix ints and strings)."""
        return str(record[stream.primary_key])
