"""The ZenTao connector: REST v1, token login, contracts as projects, milestones as executions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, ClassVar

import httpx

from connectors.sdk import (
    Capability,
    CheckResult,
    ConfigError,
    Connector,
    ConnectorError,
    FieldInfo,
    Page,
    Record,
    RequestStats,
    Stream,
    WriteRequest,
    WriteResult,
)
from connectors.sdk.retry import Sleep
from connectors.zentao.auth import ZentaoTokenAuth
from connectors.zentao.client import ZentaoClient
from connectors.zentao.config import ZentaoConfig
from connectors.zentao.fields import FIELDS
from connectors.zentao.reading import Reader
from connectors.zentao.streams import RESOURCES, STREAMS, Resource
from connectors.zentao.writing import Writer


class ZentaoConnector(Connector[ZentaoConfig]):
    """ZenTao (禅道) project management, open source and Biz/Max editions, REST API v1."""

    name: ClassVar[str] = "zentao"
    title: ClassVar[str] = "ZenTao"
    config_model: ClassVar[type[ZentaoConfig]] = ZentaoConfig
    streams: ClassVar[tuple[Stream, ...]] = STREAMS
    sandbox: ClassVar[str | None] = "connectors.zentao.sandbox:ZentaoSandbox"

    def __init__(
        self,
        config: ZentaoConfig | Mapping[str, Any],
        *,
        instance: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        super().__init__(config, instance=instance, transport=transport, sleep=sleep)
        self.auth = ZentaoTokenAuth(
            self.config.api_url,
            self.config.account,
            self.config.password.get_secret_value(),
            connector=self.instance,
        )
        self._http = self.http_client(auth=self.auth, headers={"Accept": "application/json"})
        self.client = ZentaoClient(self._http, self.config.api_url)
        self.reader = Reader(self.client, self.config)
        self.writer = Writer(self.client, self.config, self.reader)

    @property
    def stats(self) -> RequestStats:
        """Request counters of this instance since it was built."""
        return self._http.stats

    def resource(self, stream: str) -> Resource:
        """The route declaration of ``stream`` (a ``ConfigError`` lists the real ones)."""
        self.stream(stream)
        return RESOURCES[stream]

    async def check(self) -> CheckResult:
        """Log in and ask who we are (``GET /user``)."""
        try:
            me = await self.client.call("GET", "/user")
        except ConnectorError as exc:
            return CheckResult(False, f"cannot use ZenTao at {self.config.base_url}: {exc.message}")
        profile = me.get("profile", me) if isinstance(me, dict) else {}
        account = profile.get("account") if isinstance(profile, dict) else None
        if not account:
            return CheckResult(
                False, f"ZenTao at {self.config.base_url} answered GET /user without an account"
            )
        return CheckResult(
            True,
            f"logged in to ZenTao at {self.config.base_url} as {account}",
            {"account": account, "realname": profile.get("realname", "")},
        )

    async def read(self, stream: str, since: Any = None) -> AsyncIterator[Page]:
        """Pages after cursor ``since`` (see ``reading`` for how without a since-filter)."""
        resource = self.resource(stream)
        try:
            async for page in self.reader.read(resource, since):
                yield page
        except ValueError as exc:
            raise ConfigError(str(exc), connector=self.instance, stream=stream) from None

    async def write(self, stream: str, requests: Sequence[WriteRequest]) -> list[WriteResult]:
        """Create or update, one call per record (ZenTao v1 has no batch write for these)."""
        resource = self.resource(stream)
        self._require_write(resource)
        return await self.writer.write(resource, requests)

    async def lookup(self, stream: str, external_keys: Sequence[str]) -> dict[str, Record]:
        """Live records whose key marker matches, found with one list scan."""
        resource = self.resource(stream)
        self._require_write(resource)
        return await self.writer.lookup(resource, external_keys)

    def _require_write(self, resource: Resource) -> None:
        self._require(resource.stream, Capability.WRITE)

    async def discover(self) -> dict[str, list[FieldInfo]]:
        """The fields of each stream as ZenTao's v1 entries name them (declared, not probed)."""
        return {stream.name: list(FIELDS.get(stream.name, ())) for stream in self.streams}

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._http.aclose()
