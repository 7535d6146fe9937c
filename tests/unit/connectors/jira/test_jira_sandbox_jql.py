"""The sandbox's JQL: dates in the searching user's zone at minute resolution, Jira's refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from connectors.jira.sandbox import JiraSandbox
from connectors.jira.sandbox.jql import JqlError, parse, parse_date

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def site() -> JiraSandbox:
    sandbox = JiraSandbox(populate=False, time_zone="Asia/Shanghai")
    sandbox.clock.freeze(datetime(2026, 6, 30, 16, 0, 0, tzinfo=UTC))
    sandbox.reset("epics", 1)  # DLV-1; the milestones are DLV-2..4
    ids = sandbox.reset("milestones", 3)
    stamps = [
        datetime(2026, 6, 30, 23, 58, 59, tzinfo=SHANGHAI),
        datetime(2026, 6, 30, 23, 59, 30, tzinfo=SHANGHAI),
        datetime(2026, 7, 1, 0, 0, 1, tzinfo=SHANGHAI),
    ]
    for rid, stamp in zip(ids, stamps, strict=True):
        issue = sandbox.issue_by_key(rid)
        assert issue is not None
        issue.updated = stamp.astimezone(UTC)
    return sandbox


def keys(site: JiraSandbox, jql: str) -> list[str]:
    return [i.key for i in site.store.search(jql, site.default_user)]


def test_minute_literal_in_the_users_zone_includes_the_whole_minute(site: JiraSandbox) -> None:
    assert keys(site, 'type = Task AND updated >= "2026/06/30 23:59" ORDER BY updated ASC') == [
        "DLV-3",
        "DLV-4",
    ]
    assert keys(
        site, 'type = Task AND updated >= "2026-06-30 23:59" AND updated < "2026/07/01"'
    ) == ["DLV-3"]


def test_the_same_literal_means_another_instant_for_another_user(site: JiraSandbox) -> None:
    site.set_time_zone("UTC")
    assert keys(site, 'issuetype = Task AND updated >= "2026/06/30 23:59"') == []
    assert len(keys(site, 'issuetype = Task AND updated >= "2026/06/30 15:59"')) == 2


def test_relative_dates_count_back_from_now(site: JiraSandbox) -> None:
    site.clock.freeze(datetime(2026, 7, 1, 0, 1, 0, tzinfo=SHANGHAI))
    assert keys(site, "type = Task AND updated >= -1m ORDER BY key ASC") == ["DLV-4"]
    assert keys(site, "type = Task AND updated >= -3m ORDER BY key ASC") == [
        "DLV-2",
        "DLV-3",
        "DLV-4",
    ]


@pytest.mark.parametrize(
    ("jql", "word"),
    [
        ('updated >= "2026/06/30 23:59:30"', "Date value"),
        ('colour = "blue"', "does not exist"),
        ('summary = "x"', "operator"),
        ("project = NOPE", "does not exist"),
        ('labels = "a" AND', "Expecting"),
        ('summary ~ "unterminated', "reserved"),
        ("project = DLV ORDER BY colour", "sort"),
    ],
)
def test_refusals_say_what_jira_says(site: JiraSandbox, jql: str, word: str) -> None:
    with pytest.raises(JqlError, match=word):
        keys(site, jql)


def test_labels_text_not_empty_and_order(site: JiraSandbox) -> None:
    issue = site.issue_by_key("DLV-3")
    assert issue is not None
    issue.labels.append("urgent")
    assert keys(site, 'labels in ("urgent", "other")') == ["DLV-3"]
    assert keys(site, 'type = Task AND NOT labels = "urgent" ORDER BY key DESC') == [
        "DLV-4",
        "DLV-2",
    ]
    assert keys(site, "project = DLV AND duedate is EMPTY") == ["DLV-1"]
    assert keys(site, 'summary ~ "里程碑 1"') == ["DLV-3"]
    assert keys(site, "type = Task ORDER BY updated DESC") == ["DLV-4", "DLV-3", "DLV-2"]
    assert keys(site, 'parent = DLV-1 AND statusCategory = "To Do" ORDER BY key ASC') == [
        "DLV-2",
        "DLV-3",
        "DLV-4",
    ]


def test_parse_keeps_quoted_keywords_as_values() -> None:
    query = parse('summary ~ "AND" order by key desc')
    assert query.order == (("key", True),)
    assert parse("ORDER BY key").where is None


def test_parse_date_refuses_seconds() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_date("2026/01/02", "updated", UTC, now) == datetime(2026, 1, 2, tzinfo=UTC)
    assert parse_date("-1w 2d", "updated", UTC, now) == now - timedelta(days=9)
    with pytest.raises(JqlError):
        parse_date("2026/01/02 10:00:00", "updated", UTC, now)
