"""Incremental reading: JQL ``updated >=`` at minute resolution, without losing anything.

Three things make a naive reader lose issues, and each has its answer here:

- JQL date literals are minutes in the user's profile zone: the literal is the
  watermark shown in the zone ``/myself`` reports *now*, floored to the minute.
- Search is eventually consistent and clocks drift: every read starts
  ``overlap`` before the watermark, and ``Incremental`` drops what was already
  read at the same ``updated`` (``>=`` plus de-duplication by id).
- Offset paging over ``ORDER BY updated`` skips an issue whenever one read
  earlier is edited mid-read and moves behind it. So the reader pages by key
  set: after each page it asks again from the page's last minute, and follows
  a page token (or ``startAt``) only while that minute does not move, that is
  when more issues share one minute than fit on a page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from connectors.jira.client import JiraClient
from connectors.jira.jql import date_literal, in_list, stream_query
from connectors.jira.records import modified_at, normalise
from connectors.sdk import Incremental, Page, Record

Position = str | int | None
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class SearchPage:
    """Raw issues of one search page and where the next page starts (None: last page)."""

    issues: list[dict[str, Any]]
    next: Position


class Searcher:
    """One search page at a time: Cloud's ``search/jql`` tokens or DC's ``startAt``."""

    def __init__(self, client: JiraClient, *, cloud: bool) -> None:
        self.client = client
        self.cloud = cloud

    async def page(
        self,
        jql: str,
        fields: list[str],
        size: int,
        position: Position = None,
        reconcile: list[int] | None = None,
    ) -> SearchPage:
        """Fetch the page at ``position`` (``None``: the first)."""
        if self.cloud:
            body: dict[str, Any] = {"jql": jql, "fields": fields, "maxResults": size}
            if position:
                body["nextPageToken"] = position
            if reconcile:
                body["reconcileIssues"] = reconcile[:50]
            answer = await self.client.post("search/jql", body)
            token = answer.get("nextPageToken")
            last = bool(answer.get("isLast", not token))
            return SearchPage(
                list(answer.get("issues") or []), None if last or not token else token
            )
        start = int(position or 0)
        answer = await self.client.post(
            "search", {"jql": jql, "fields": fields, "startAt": start, "maxResults": size}
        )
        issues = list(answer.get("issues") or [])
        nxt = start + len(issues)
        more = bool(issues) and nxt < int(answer.get("total") or 0)
        return SearchPage(issues, nxt if more else None)

    async def all(
        self, jql: str, fields: list[str], size: int
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every page of a query (for small look-ups, not for incremental reads)."""
        position: Position = None
        while True:
            page = await self.page(jql, fields, size, position)
            yield page.issues
            if page.next is None:
                return
            position = page.next


@dataclass(slots=True)
class StreamQuery:
    """What one stream reads: project, issue type, marker label and fields."""

    project: str
    issue_type: str
    label: str
    fields: list[str]
    epic_link_field: str | None = None


async def read_stream(
    searcher: Searcher,
    query: StreamQuery,
    since: Any,
    *,
    zone: tzinfo,
    run_start: datetime,
    overlap: timedelta,
    page_size: int,
    enrich: Callable[[list[Record]], Awaitable[None]] | None = None,
) -> AsyncIterator[Page]:
    """Pages of new or changed issues after cursor ``since``; see the module docstring."""
    # The literal is floored to the minute, so ids must be remembered a minute
    # longer than the overlap, or the re-read part of the floor minute would come twice.
    state = Incremental.from_state(since, overlap=overlap + MINUTE)
    full = state.value is None
    lower: datetime | None = None if state.value is None else state.value - overlap
    position: Position = None
    while True:
        literal = date_literal(lower, zone) if lower is not None else None
        jql = stream_query(query.project, query.issue_type, query.label, literal)
        page = await searcher.page(jql, query.fields, page_size, position)
        records = []
        for issue in page.issues:
            record = normalise(issue, epic_link_field=query.epic_link_field)
            # in UTC: Jira shows times in the user's zone, which may change between reads
            rid, modified = str(record["id"]), modified_at(record).astimezone(UTC)
            if state.is_new(rid, modified):
                state.observe(rid, modified)
                records.append(record)
        if records and enrich is not None:
            await enrich(records)
        cursor = state.checkpoint(run_start)
        if page.next is None:
            yield Page(records, cursor, complete=full)
            return
        if records:
            yield Page(records, cursor)
        restart = state.value
        if restart is not None and (literal is None or date_literal(restart, zone) > literal):
            lower, position = restart, None
        else:
            position = page.next


async def find_by_labels(
    searcher: Searcher, project: str, labels: list[str], fields: list[str]
) -> list[dict[str, Any]]:
    """Issues of ``project`` carrying any of ``labels`` (50 labels a query)."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(labels), 50):
        chunk = labels[start : start + 50]
        jql = f'project = "{project}" AND labels in {in_list(chunk)} ORDER BY key ASC'
        async for issues in searcher.all(jql, fields, 100):
            found.extend(issues)
    return found
