"""The Jira connector: contracts as epics, milestones as their child issues.

Reads are incremental on ``updated`` in the integration user's time zone (read
from ``/myself`` at the start of every read, because changing the profile zone
shifts every JQL literal); writes go through bulk create, edits, remote links
and workflow transitions (see ``writer``). The hub id of a record is the label
``synchub-<hub id>``: labels are exactly searchable in JQL, which is what
``lookup`` needs to find an issue created before a crash.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from connectors.jira.client import JiraClient, site_auth
from connectors.jira.config import JiraConfig
from connectors.jira.jql import in_list
from connectors.jira.reader import Searcher, StreamQuery, find_by_labels, read_stream
from connectors.jira.records import normalise, parse_time
from connectors.jira.streams import STREAMS
from connectors.jira.webhooks import verify_signature
from connectors.jira.writer import SiteFields, Writer, WriteStream
from connectors.sdk import (
    CheckResult,
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

log = logging.getLogger(__name__)

READ_FIELDS = [
    "summary",
    "description",
    "status",
    "resolution",
    "resolutiondate",
    "issuetype",
    "project",
    "parent",
    "labels",
    "duedate",
    "created",
    "updated",
]
SAFE_ZONE = "Etc/GMT+12"
"""Used when /myself names no usable zone: the westernmost zone makes every
literal earlier than meant, so a read repeats a little instead of losing."""


class JiraConnector(Connector[JiraConfig]):
    """Jira Cloud (REST v3) and Data Center (REST v2); see the module docstring."""

    name: ClassVar[str] = "jira"
    title: ClassVar[str] = "Jira"
    config_model: ClassVar[type[JiraConfig]] = JiraConfig
    streams: ClassVar[tuple[Stream, ...]] = STREAMS
    sandbox: ClassVar[str | None] = "connectors.jira.sandbox:JiraSandbox"

    def __init__(
        self,
        config: JiraConfig | Mapping[str, Any],
        *,
        instance: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        super().__init__(config, instance=instance, transport=transport, sleep=sleep)
        self._http = self.http_client(
            base_url=self.config.base_url,
            auth=site_auth(self.config),
            headers={"Accept": "application/json", "X-Atlassian-Token": "no-check"},
        )
        self.client = JiraClient(self._http, self.config)
        self.searcher = Searcher(self.client, cloud=self.config.flavour == "cloud")
        self._fields: SiteFields | None = None
        self._epic_ids: dict[str, str] = {}

    @property
    def stats(self) -> RequestStats:
        """Request counters of this instance."""
        return self._http.stats

    async def check(self) -> CheckResult:
        """Sign in (``/myself``), compare the deployment type, find the project."""
        try:
            me = await self.client.get("myself")
            info = await self.client.get("serverInfo")
            project = await self.client.get(f"project/{self.config.project_key}")
        except ConnectorError as exc:
            return CheckResult(False, f"Jira check failed: {exc.message}", {"status": exc.status})
        deployment = str(info.get("deploymentType", ""))
        if (deployment == "Cloud") != (self.config.flavour == "cloud"):
            return CheckResult(
                False,
                f"configured as flavour {self.config.flavour!r} but the site reports "
                f"deploymentType {deployment!r}; set flavour to "
                f"{'cloud' if deployment == 'Cloud' else 'dc'}",
            )
        details = {
            "user": me.get("displayName"),
            "time_zone": me.get("timeZone"),
            "deployment": deployment,
            "version": info.get("version"),
            "project": project.get("name"),
        }
        return CheckResult(
            True,
            f"signed in as {me.get('displayName')} (time zone {me.get('timeZone')}) on Jira "
            f"{deployment} {info.get('version')}; project {self.config.project_key} found",
            details,
        )

    async def read(self, stream: str, since: Any = None) -> AsyncIterator[Page]:
        """Pages of changed issues of ``stream`` since the cursor (see ``reader``)."""
        declared = self.stream(stream)
        zone = await self._user_zone()
        run_start = await self._server_time()
        query = await self._query(declared)
        async for page in read_stream(
            self.searcher,
            query,
            since,
            zone=zone,
            run_start=run_start,
            overlap=timedelta(minutes=self.config.overlap_minutes),
            page_size=self.config.page_size,
            enrich=self._resolve_parents if query.epic_link_field else None,
        ):
            yield page

    async def write(self, stream: str, requests: Sequence[WriteRequest]) -> list[WriteResult]:
        """Create (bulk, 50 a call) or update issues; one result per request, in order."""
        declared = self.stream(stream)
        if not requests:
            return []
        target = WriteStream(
            name=declared.name,
            issue_type=self._issue_type(declared),
            label=self._label(declared),
            epic=declared.name == "epics",
        )
        writer = Writer(
            self.client,
            self.searcher,
            self.config,
            await self._site_fields(),
            await self._read_fields(),
            enrich=self._resolve_parents if await self._epic_link_id() else None,
            find=lambda keys: self.lookup(declared.name, keys),
            sleep=self._sleep or asyncio.sleep,
        )
        return await writer.write(target, requests)

    async def lookup(self, stream: str, external_keys: Sequence[str]) -> dict[str, Record]:
        """Issues carrying the ``synchub-<key>`` label of these keys, by key."""
        declared = self.stream(stream)
        prefix = self.config.key_label_prefix
        wanted = {f"{prefix}{key}": key for key in external_keys if key}
        if not wanted:
            return {}
        query = await self._query(declared)
        issues = await find_by_labels(
            self.searcher, self.config.project_key, sorted(wanted), query.fields
        )
        found: dict[str, Record] = {}
        for issue in issues:
            record = normalise(issue, epic_link_field=query.epic_link_field)
            labels = record["fields"].get("labels") or []
            if self._label(declared) not in labels:
                continue
            for label in labels:
                if label in wanted:
                    found[wanted[label]] = record
        if query.epic_link_field:
            await self._resolve_parents(list(found.values()))
        return found

    async def discover(self) -> dict[str, list[FieldInfo]]:
        """The site's fields (custom ones by their site-specific ids), for both streams."""
        fields = await self.client.get("field")
        required = {"summary", "project", "issuetype"}
        infos = [
            FieldInfo(
                name=str(f["id"]),
                type=str((f.get("schema") or {}).get("type", "any")),
                label=str(f.get("name", "")),
                required=f["id"] in required,
                read_only=not f.get("orderable", True),
            )
            for f in fields
        ]
        return {s.name: list(infos) for s in self.streams}

    def verify_webhook(self, body: bytes, signature: str | None) -> bool:
        """Check a delivery's ``X-Hub-Signature`` against the configured webhook secret."""
        secret = self.config.webhook_secret
        return secret is not None and verify_signature(secret.get_secret_value(), body, signature)

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._http.aclose()

    # -- internals ---------------------------------------------------------------------------
    def _issue_type(self, stream: Stream) -> str:
        if stream.name == "epics":
            return self.config.contract_issue_type
        return self.config.milestone_issue_type

    def _label(self, stream: Stream) -> str:
        return self.config.contract_label if stream.name == "epics" else self.config.milestone_label

    async def _user_zone(self) -> tzinfo:
        me = await self.client.get("myself")
        name = me.get("timeZone") if isinstance(me, dict) else None
        try:
            return ZoneInfo(str(name)) if name else ZoneInfo(SAFE_ZONE)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("Jira user time zone %r is unknown; reading with %s", name, SAFE_ZONE)
            return ZoneInfo(SAFE_ZONE)

    async def _server_time(self) -> datetime:
        info = await self.client.get("serverInfo")
        raw = info.get("serverTime") if isinstance(info, dict) else None
        return parse_time(str(raw)) if raw else datetime.now(UTC)

    async def _site_fields(self) -> SiteFields:
        if self._fields is None:
            listed = await self.client.get("field")
            self._fields = SiteFields(
                {str(f["name"]).lower(): str(f["id"]) for f in listed if f.get("custom")}
            )
        return self._fields

    async def _epic_link_id(self) -> str | None:
        if not self.config.uses_epic_link_field:
            return None
        return (await self._site_fields()).id_of(self.config.epic_link_field)

    async def _read_fields(self) -> list[str]:
        link = await self._epic_link_id()
        return [*READ_FIELDS, link] if link else list(READ_FIELDS)

    async def _query(self, stream: Stream) -> StreamQuery:
        return StreamQuery(
            project=self.config.project_key,
            issue_type=self._issue_type(stream),
            label=self._label(stream),
            fields=await self._read_fields(),
            epic_link_field=await self._epic_link_id(),
        )

    async def _resolve_parents(self, records: list[Record]) -> None:
        """Data Center: give ``fields.parent`` (mirrored from Epic Link) the epic's id."""
        parents = [
            r["fields"]["parent"] for r in records if isinstance(r["fields"].get("parent"), dict)
        ]
        missing = sorted(
            {p["key"] for p in parents if "id" not in p and p["key"] not in self._epic_ids}
        )
        for start in range(0, len(missing), 50):
            chunk = missing[start : start + 50]
            jql = f"issue in {in_list(chunk)} ORDER BY key ASC"
            async for issues in self.searcher.all(jql, ["issuetype"], 50):
                for issue in issues:
                    self._epic_ids[str(issue["key"])] = str(issue["id"])
        for parent in parents:
            if "id" not in parent and parent["key"] in self._epic_ids:
                parent["id"] = self._epic_ids[parent["key"]]
