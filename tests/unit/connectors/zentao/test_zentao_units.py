"""ZenTao connector pieces without a server: config, normalising, error shapes, edit verification."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from connectors.sdk import ConfigError
from connectors.zentao import ZentaoConnector
from connectors.zentao.errors import error_field, error_text
from connectors.zentao.records import (
    find_marker,
    modified_at,
    normalise,
    parse_time,
    with_marker,
)
from connectors.zentao.streams import RESOURCES
from connectors.zentao.writing import execution_code, mismatches, same_value, working_days

SH = ZoneInfo("Asia/Shanghai")
GOOD = {"base_url": "https://pm.example.cn/zentao/", "account": "bot", "password": "s3cret!"}


def test_config_normalises_the_web_root_and_builds_the_api_url() -> None:
    conn = ZentaoConnector(GOOD)
    assert conn.config.base_url == "https://pm.example.cn/zentao"
    assert conn.config.api_url == "https://pm.example.cn/zentao/api.php/v1"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://pm.example.cn", "http"),
        ("https://bot:pw@pm.example.cn", "credentials"),
        ("https://pm.example.cn/zentao/api.php/v1", "web root"),
    ],
)
def test_bad_base_urls_are_config_errors_naming_the_key(url: str, words: str) -> None:
    with pytest.raises(ConfigError, match="base_url") as caught:
        ZentaoConnector({**GOOD, "base_url": url})
    assert words in str(caught.value)
    assert "pw@" not in str(caught.value)


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ConfigError, match="timezone"):
        ZentaoConnector({**GOOD, "timezone": "Mars/Olympus"})


def test_times_utc_local_and_zero() -> None:
    assert parse_time("2025-06-01T08:30:00Z", SH) == datetime(2025, 6, 1, 8, 30, tzinfo=UTC)
    local = parse_time("2025-06-01 16:30:00", SH)
    assert local == datetime(2025, 6, 1, 8, 30, tzinfo=UTC)
    assert local is not None
    assert local.tzinfo is not None
    assert parse_time("0000-00-00 00:00:00", SH) is None
    assert parse_time("", SH) is None
    assert parse_time(None, SH) is None


def test_normalise_coerces_the_mixed_types() -> None:
    record = normalise(
        {
            "id": "12",
            "execution": "3",
            "pri": "2",
            "estimate": Decimal("8.5"),
            "deleted": "0",
            "assignedTo": {"id": 4, "account": "lisi", "avatar": "", "realname": "李四"},
            "openedBy": "zhangsan",
            "mailto": ",lisi,wangwu",
            "deadline": "0000-00-00",
            "begin": "2025-06-01",
            "lastEditedDate": "2025-06-01 16:30:00",
            "budget": "120000.50",
        },
        SH,
    )
    assert record["id"] == 12
    assert record["execution"] == 3
    assert record["pri"] == 2
    assert record["estimate"] == Decimal("8.5")
    assert record["deleted"] is False
    assert record["assignedTo"] == "lisi"
    assert record["openedBy"] == "zhangsan"
    assert record["mailto"] == ["lisi", "wangwu"]
    assert record["deadline"] is None
    assert record["begin"] == "2025-06-01"
    assert record["lastEditedDate"] == "2025-06-01T16:30:00+08:00"
    assert record["budget"] == "120000.50"


def test_modified_is_the_later_of_opened_and_edited() -> None:
    never = {"openedDate": "2025-06-01T00:00:00Z", "lastEditedDate": None}
    edited = {"openedDate": "2025-06-01T00:00:00Z", "lastEditedDate": "2025-06-02T00:00:00Z"}
    assert modified_at(never, SH) == datetime(2025, 6, 1, tzinfo=UTC)
    assert modified_at(edited, SH) == datetime(2025, 6, 2, tzinfo=UTC)


def test_key_marker_round_trip_replaces_an_older_one() -> None:
    text = with_marker("<p>合同说明</p>", "abc-1")
    assert find_marker(text) == "abc-1"
    again = with_marker(text, "abc-2")
    assert find_marker(again) == "abc-2"
    assert again.count("synchub") == 1
    assert again.startswith("<p>合同说明</p>")
    assert find_marker(None) is None


@pytest.mark.parametrize(
    ("error", "text", "field"),
    [
        ("『项目名称』不能为空。", "『项目名称』不能为空。", None),
        (
            {"code": ["『项目代号』已经有『X』这条记录了。"]},
            "code: 『项目代号』已经有『X』这条记录了。",
            "code",
        ),
        ({"message": {"title": ["『名称』不能为空。"]}}, "title: 『名称』不能为空。", "title"),
        ({"message": "error"}, "error", None),
        (None, "", None),
    ],
)
def test_every_error_shape_reads_as_one_line(error: object, text: str, field: str | None) -> None:
    assert error_text(error) == text
    assert error_field(error) == field


def test_same_value_tolerates_zentaos_retyping() -> None:
    assert same_value("8", Decimal("8.0"))
    assert same_value(3, "3")
    assert same_value("2025-06-01", "2025-06-01")
    assert same_value("lisi", {"account": "lisi"})
    assert same_value(None, "0")
    assert not same_value("Project Alpha 1", "Project Alpha 2")
    assert not same_value("2025-06-01", "2000-01-01")


def test_mismatches_only_compare_editable_plain_fields() -> None:
    tasks = RESOURCES["tasks"]
    sent = {"name": "新名字", "deadline": "2025-01-01", "desc": "<p>x</p>", "execution": 9}
    held = {"name": "旧名字", "deadline": "2025-01-01", "desc": "<p>y</p>", "execution": 1}
    assert mismatches(tasks, sent, held) == ["name: sent '新名字', ZenTao holds '旧名字'"]


def test_execution_code_and_days() -> None:
    code = execution_code("6a1b2c3d-0000-4000-8000-000000000001")
    assert code.startswith("ms-6a1b2c3d")
    assert len(code) <= 45
    assert working_days("2025-06-02", "2025-06-08") == 5  # Mon..Sun
    assert working_days("2025-06-07", "2025-06-07") == 1  # a Saturday still counts one day
