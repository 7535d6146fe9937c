"""Writing issues: bulk create (50 a call), edits, remote links and transitions.

A record to write is what the hub's outbound mapping produced::

    {"fields": {...Jira fields; description may be plain text...},
     "update": {...optional Jira update verbs...},
     "transition_to": "done/Done"}        # optional: category[/resolution]

The connector adds what the mapping should not know: project and issue type,
the stream's marker label and the external-key label ``synchub-<hub id>`` (so
``lookup`` finds an issue created before a crash), ADF for Cloud's v3, the
Epic Link field instead of ``parent`` on Data Center, the Epic Name where the
site has one, and the remote link back to the hub on contract issues. Labels
are only ever added on update, never replaced, so people's own labels survive.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.jira.client import JiraClient
from connectors.jira.config import JiraConfig
from connectors.jira.jql import in_list
from connectors.jira.reader import Searcher
from connectors.jira.records import normalise, text_adf
from connectors.jira.transitions import Target, move
from connectors.sdk import (
    OUTCOME_UNKNOWN,
    ConnectorError,
    MalformedResponse,
    RateLimited,
    Record,
    RecordError,
    TimedOut,
    TransientError,
    VendorError,
    WriteRequest,
    WriteResult,
)
from connectors.sdk.streams import WriteStatus

BULK_LIMIT = 50
_ALLOWED_KEYS = {"fields", "update", "transition_to"}


@dataclass(frozen=True, slots=True)
class WriteStream:
    """What a stream writes: issue type, marker label, whether its issues are epics."""

    name: str
    issue_type: str
    label: str
    epic: bool


@dataclass(slots=True)
class Outcome:
    """What happened to one request so far (turned into a ``WriteResult`` at the end)."""

    index: int
    status: WriteStatus = "failed"
    remote_id: str | None = None
    error: str | None = None
    vendor_code: str | None = None
    field: str | None = None

    def fail(self, exc: ConnectorError, *, prefix: str = "") -> None:
        """Record a refusal, keeping the vendor's words."""
        self.status = "failed"
        self.error = prefix + exc.message
        self.vendor_code = str(exc.status) if exc.status is not None else exc.vendor_code
        self.field = getattr(exc, "field", None)


@dataclass(slots=True)
class Prepared:
    """A request turned into the Jira payload, and where its status should go."""

    outcome: Outcome
    request: WriteRequest
    payload: dict[str, Any]
    target: Target | None
    summary: str | None = None


@dataclass(slots=True)
class SiteFields:
    """Custom field ids the site gave names to (resolved once from ``GET field``)."""

    by_name: dict[str, str] = field(default_factory=dict)

    def id_of(self, name: str) -> str | None:
        """The id of the field called ``name`` (case-insensitive), if the site has one."""
        return self.by_name.get(name.lower())


class Writer:
    """Writes one stream's requests; see the module docstring."""

    def __init__(
        self,
        client: JiraClient,
        searcher: Searcher,
        config: JiraConfig,
        fields: SiteFields,
        read_fields: list[str],
        enrich: Callable[[list[Record]], Awaitable[None]] | None = None,
        *,
        find: Callable[[list[str]], Awaitable[dict[str, Record]]] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.find = find
        self.sleep = sleep
        self.client = client
        self.searcher = searcher
        self.config = config
        self.fields = fields
        self.read_fields = read_fields
        self.enrich = enrich
        self._epic_keys: dict[str, str] = {}

    async def write(
        self, stream: WriteStream, requests: Sequence[WriteRequest]
    ) -> list[WriteResult]:
        """One result per request, in order; one bad record never fails the batch."""
        outcomes = [Outcome(i) for i in range(len(requests))]
        creates: list[Prepared] = []
        updates: list[Prepared] = []
        for outcome, request in zip(outcomes, requests, strict=True):
            try:
                prepared = await self._prepare(stream, outcome, request)
            except RecordError as exc:
                outcome.fail(exc)
                continue
            (updates if request.remote_id else creates).append(prepared)
        for start in range(0, len(creates), BULK_LIMIT):
            await self._create(creates[start : start + BULK_LIMIT])
        created = [p for p in creates if p.outcome.remote_id]
        await asyncio.gather(*(self._finish(stream, p) for p in created))
        await asyncio.gather(*(self._update(stream, p) for p in updates))
        records = await self._read_back(
            [o.remote_id for o in outcomes if o.remote_id and o.status != "failed"]
        )
        return [
            WriteResult(
                index=o.index,
                status=o.status,
                remote_id=o.remote_id,
                error=o.error,
                vendor_code=o.vendor_code,
                field=o.field,
                record=records.get(o.remote_id) if o.remote_id and o.status != "failed" else None,
            )
            for o in outcomes
        ]

    # -- shaping -------------------------------------------------------------------------
    async def _prepare(
        self, stream: WriteStream, outcome: Outcome, request: WriteRequest
    ) -> Prepared:
        data = request.data
        unknown = set(data) - _ALLOWED_KEYS
        if unknown:
            raise RecordError(
                f"unknown keys {sorted(unknown)}; a Jira record has {sorted(_ALLOWED_KEYS)}",
                field=sorted(unknown)[0],
            )
        fields = dict(data.get("fields") or {})
        update = {k: list(v) for k, v in (data.get("update") or {}).items()}
        for locked in ("status", "resolution"):
            if locked in fields:
                raise RecordError(
                    f"{locked} changes only through a workflow transition; use transition_to",
                    field=locked,
                )
        target = Target.parse(data["transition_to"]) if data.get("transition_to") else None
        if isinstance(fields.get("description"), str) and self.config.api_version == "3":
            fields["description"] = text_adf(fields["description"])
        await self._epic_link(stream, fields)
        own = [stream.label, self._key_label(request.external_key)]
        labels = list(dict.fromkeys([*(fields.pop("labels", None) or []), *own]))
        if request.remote_id:
            fields.pop("project", None)
            fields.pop("issuetype", None)
            update.setdefault("labels", []).extend({"add": label} for label in labels)
        else:
            fields["project"] = {"key": self.config.project_key}
            fields["issuetype"] = {"name": stream.issue_type}
            fields["labels"] = labels
            epic_name = self.fields.id_of(self.config.epic_name_field)
            if stream.epic and epic_name and epic_name not in fields and fields.get("summary"):
                fields[epic_name] = str(fields["summary"])[:255]
        payload: dict[str, Any] = {"fields": fields}
        if update:
            payload["update"] = update
        summary = fields.get("summary")
        return Prepared(
            outcome, request, payload, target, summary if isinstance(summary, str) else None
        )

    def _key_label(self, external_key: str) -> str:
        label = f"{self.config.key_label_prefix}{external_key}"
        if not external_key or re.search(r"\s", label):
            raise RecordError(
                f"external key {external_key!r} cannot be a Jira label", field="labels"
            )
        return label

    async def _epic_link(self, stream: WriteStream, fields: dict[str, Any]) -> None:
        """On Data Center a standard issue names its epic in the Epic Link field (by key)."""
        parent = fields.get("parent")
        if stream.epic or not parent or not self.config.uses_epic_link_field:
            return
        link = self.fields.id_of(self.config.epic_link_field)
        if link is None:
            raise RecordError(
                f"this site has no {self.config.epic_link_field!r} field to link the epic",
                field="parent",
            )
        fields.pop("parent")
        fields[link] = await self._epic_key(parent)

    async def _epic_key(self, parent: Any) -> str:
        if not isinstance(parent, dict) or not (parent.get("key") or parent.get("id")):
            raise RecordError("parent must be {'id': ...} or {'key': ...}", field="parent")
        if parent.get("key"):
            return str(parent["key"])
        pid = str(parent["id"])
        if pid not in self._epic_keys:
            issue = await self.client.get_record(f"issue/{pid}", fields="issuetype")
            self._epic_keys[pid] = str(issue["key"])
        return self._epic_keys[pid]

    # -- calls ------------------------------------------------------------------------------
    async def _create(self, batch: list[Prepared]) -> None:
        """Bulk create, sent once per try; after a failed try, what was made is found by key.

        Jira does not dedupe creates: re-sending a bulk create whose answer was lost
        (reset, timeout) would make every issue twice. So each try is sent once, and
        before the next one the issues are looked up by their ``synchub-<key>`` labels;
        only the ones not found are sent again.
        """
        policy = self.config.http.retry_policy()
        pending = list(batch)
        for attempt in range(1, policy.max_attempts + 1):
            try:
                body = await self.client.bulk_create([p.payload for p in pending])
            except TransientError as exc:
                if attempt == policy.max_attempts or self.find is None:
                    raise
                hint = exc.retry_after if isinstance(exc, RateLimited) else None
                await self.sleep(
                    min(
                        hint if hint is not None else policy.backoff(attempt),
                        policy.max_retry_after,
                    )
                )
                pending = await self._found(pending)
                if pending and isinstance(exc, TimedOut):
                    pending = await self._settle(pending)
                if not pending:
                    return
                continue
            self._apply_bulk(pending, body)
            return

    async def _found(self, pending: list[Prepared]) -> list[Prepared]:
        """Mark the issues Jira already made as created; return the ones still missing."""
        assert self.find is not None
        found = await self.find([p.request.external_key for p in pending])
        for prepared in pending:
            record = found.get(prepared.request.external_key)
            if record is not None:
                prepared.outcome.status, prepared.outcome.remote_id = "created", str(record["id"])
        return [p for p in pending if p.outcome.remote_id is None]

    async def _settle(self, pending: list[Prepared]) -> list[Prepared]:
        """After a timeout Jira may still be creating: look again for a while, never re-send.

        Looks up to four client timeouts long; what is still missing then is reported
        with ``OUTCOME_UNKNOWN``, so the hub keeps its write intent and looks the
        issues up again before it ever sends them a second time.
        """
        waited, limit = 0.0, 4 * self.config.http.timeout
        step = max(self.config.http.timeout / 2, 0.05)
        while pending and waited < limit:
            await self.sleep(step)
            waited += step
            pending = await self._found(pending)
        for prepared in pending:
            prepared.outcome.status, prepared.outcome.vendor_code = "failed", OUTCOME_UNKNOWN
            prepared.outcome.error = (
                "Jira did not answer in time and the issue has not appeared yet; it is looked up "
                "by its key before any new attempt"
            )
        return []

    def _apply_bulk(self, batch: list[Prepared], body: dict[str, Any]) -> None:
        failed: dict[int, str] = {}
        fields: dict[int, str | None] = {}
        for error in body.get("errors") or []:
            position = int(error.get("failedElementNumber", -1))
            element = error.get("elementErrors") or {}
            messages = [str(m) for m in element.get("errorMessages") or []]
            errors = element.get("errors") or {}
            messages += [f"{k}: {v}" for k, v in errors.items()]
            failed[position] = "; ".join(messages) or "refused by Jira"
            fields[position] = next(iter(errors), None)
        issues = list(body.get("issues") or [])
        if len(issues) != len(batch) - len(failed):
            raise MalformedResponse(
                f"bulk create returned {len(issues)} issues and {len(failed)} errors for {len(batch)} requests"
            )
        created = iter(issues)
        for position, prepared in enumerate(batch):
            outcome = prepared.outcome
            if position in failed:
                outcome.status, outcome.error = "failed", failed[position]
                outcome.vendor_code, outcome.field = "400", fields[position]
            else:
                issue = next(created)
                outcome.status, outcome.remote_id = "created", str(issue["id"])

    async def _finish(self, stream: WriteStream, prepared: Prepared) -> None:
        """After a create: the remote link and the status; the issue exists whatever happens."""
        try:
            await self._link_and_move(stream, prepared)
        except (RecordError, VendorError) as exc:
            key = prepared.outcome.remote_id
            prepared.outcome.fail(exc, prefix=f"created issue {key}, then: ")

    async def _update(self, stream: WriteStream, prepared: Prepared) -> None:
        outcome, request = prepared.outcome, prepared.request
        outcome.remote_id = request.remote_id
        try:
            await self.client.put(f"issue/{request.remote_id}", prepared.payload)
            outcome.status = "updated"
            await self._link_and_move(stream, prepared)
        except (RecordError, VendorError) as exc:
            outcome.fail(exc)

    async def _link_and_move(self, stream: WriteStream, prepared: Prepared) -> None:
        issue_id = prepared.outcome.remote_id
        assert issue_id is not None
        if stream.epic and self.config.hub_url:
            await self.client.post(
                f"issue/{issue_id}/remotelink", self._remote_link(prepared), record=True
            )
        if prepared.target is not None:
            await move(self.client, issue_id, prepared.target)

    def _remote_link(self, prepared: Prepared) -> dict[str, Any]:
        key = prepared.request.external_key
        return {
            "globalId": f"synchub:contract={key}",
            "application": {"type": "com.synchub", "name": "SyncHub"},
            "relationship": "contract",
            "object": {
                "url": f"{self.config.hub_url}/contracts/{key}",
                "title": prepared.summary or f"Contract {key}",
                "summary": "The contract in SyncHub, where finance follows its milestones.",
                "status": {"resolved": False},
            },
        }

    async def _read_back(self, ids: list[str]) -> dict[str, Record]:
        """The written issues as Jira now holds them (``reconcileIssues`` beats index lag)."""
        records: dict[str, Record] = {}
        epic_link = (
            self.fields.id_of(self.config.epic_link_field)
            if self.config.uses_epic_link_field
            else None
        )
        for start in range(0, len(ids), BULK_LIMIT):
            chunk = ids[start : start + BULK_LIMIT]
            jql = f"issue in {in_list(chunk)} ORDER BY key ASC"
            try:
                page = await self.searcher.page(
                    jql, self.read_fields, len(chunk), reconcile=[int(i) for i in chunk]
                )
            except VendorError:
                continue  # an issue deleted meanwhile makes the whole query refuse
            for issue in page.issues:
                records[str(issue["id"])] = normalise(issue, epic_link_field=epic_link)
        if records and self.enrich is not None:
            await self.enrich(list(records.values()))
        return records
