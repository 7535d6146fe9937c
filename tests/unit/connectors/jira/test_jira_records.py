"""Normalising issues: aware ISO times, ADF text, the Epic Link mirrored into parent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.jira.records import adf_text, modified_at, normalise, parse_time, text_adf


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-06-24T19:24:50.000+0000", datetime(2025, 6, 24, 19, 24, 50, tzinfo=UTC)),
        ("2025-06-25T03:24:50.000+0800", datetime(2025, 6, 24, 19, 24, 50, tzinfo=UTC)),
        ("2025-06-24T12:24:50.123-0700", datetime(2025, 6, 24, 19, 24, 50, 123000, tzinfo=UTC)),
        ("2025-06-24T19:24:50Z", datetime(2025, 6, 24, 19, 24, 50, tzinfo=UTC)),
        ("2025-06-25T03:24:50", datetime(2025, 6, 24, 19, 24, 50, tzinfo=UTC)),  # no zone: Shanghai
    ],
)
def test_parse_time_accepts_jiras_shapes(raw: str, expected: datetime) -> None:
    parsed = parse_time(raw)
    assert parsed.tzinfo is not None
    assert parsed == expected


def test_adf_round_trip_keeps_lines() -> None:
    text = "合同 HT1\n\n金额 1.00 CNY"
    assert adf_text(text_adf(text)) == text
    assert adf_text(None) == ""
    nested = {
        "type": "doc",
        "content": [
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            {
                                "type": "paragraph",
                                "content": [
                                    {"type": "text", "text": "a"},
                                    {"type": "hardBreak"},
                                    {"type": "text", "text": "b"},
                                ],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    assert adf_text(nested) == "a\nb"


def test_normalise_makes_times_iso_and_mirrors_the_epic_link() -> None:
    issue = {
        "id": "10001",
        "key": "DLV-1",
        "fields": {
            "updated": "2026-06-30T23:59:30.000+0800",
            "created": "2026-06-30T10:00:00.000+0800",
            "resolutiondate": None,
            "description": "plain on v2",
            "customfield_10100": "DLV-7",
        },
    }
    record = normalise(issue, epic_link_field="customfield_10100")
    fields = record["fields"]
    assert fields["updated"] == "2026-06-30T23:59:30+08:00"
    assert fields["resolutiondate"] is None
    assert fields["parent"] == {"key": "DLV-7"}
    assert fields["description_text"] == "plain on v2"
    assert issue["fields"]["updated"].endswith("+0800"), "the input is not modified"
    assert modified_at(record).utcoffset() == timedelta(hours=8)


def test_normalise_keeps_a_real_parent() -> None:
    issue = {
        "id": "1",
        "fields": {"parent": {"id": "5", "key": "DLV-5"}, "customfield_10100": None},
    }
    assert normalise(issue, epic_link_field="customfield_10100")["fields"]["parent"]["id"] == "5"
