"""Connector-side JQL: quoting and minute literals in the user's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from connectors.jira.jql import date_literal, in_list, quote, stream_query


def test_literal_is_floored_to_the_minute_in_the_users_zone() -> None:
    instant = datetime(2026, 6, 30, 15, 59, 30, 999000, tzinfo=UTC)
    assert date_literal(instant, ZoneInfo("Asia/Shanghai")) == "2026/06/30 23:59"
    assert date_literal(instant, ZoneInfo("America/Los_Angeles")) == "2026/06/30 08:59"
    assert date_literal(instant, ZoneInfo("Asia/Kathmandu")) == "2026/06/30 21:44"


def test_literal_crosses_the_date_line_with_the_zone() -> None:
    instant = datetime(2026, 12, 31, 16, 0, 0, tzinfo=UTC)
    assert date_literal(instant, ZoneInfo("Asia/Shanghai")) == "2027/01/01 00:00"


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        date_literal(datetime(2026, 1, 1), ZoneInfo("UTC"))  # noqa: DTZ001


def test_quoting_escapes_quotes_and_backslashes() -> None:
    assert quote('say "hi"\\') == '"say \\"hi\\"\\\\"'
    assert in_list(["a", 'b"c']) == '("a", "b\\"c")'


def test_stream_query_is_bounded_and_ordered_oldest_change_first() -> None:
    jql = stream_query("DLV", "Task", "synchub-milestone", "2026/06/30 23:58")
    assert jql == (
        'project = "DLV" AND issuetype = "Task" AND labels = "synchub-milestone" '
        'AND updated >= "2026/06/30 23:58" ORDER BY updated ASC, key ASC'
    )
    assert "updated" not in stream_query("DLV", "Epic", "x").split("ORDER")[0]
