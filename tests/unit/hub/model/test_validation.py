"""Validation errors name the entity, the field and the offending value."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hub.model import ENTITIES, TABLES, CanonicalValidationError, validate


def problem_of(entity: str, data: dict[str, object]) -> str:
    with pytest.raises(CanonicalValidationError) as caught:
        validate(entity, data)
    assert caught.value.entity == entity
    return str(caught.value)


def test_bad_tax_id_names_entity_field_and_value() -> None:
    message = problem_of("customer", {"name": "杭州云链", "tax_id": "91350100M000100Y44"})
    assert message.startswith("invalid customer:")
    assert "tax_id='91350100M000100Y44'" in message
    assert "check character" in message


def test_tax_id_is_normalised() -> None:
    customer = validate("customer", {"name": "x", "tax_id": " 91350100m000100y43 ".upper()})
    assert customer.tax_id == "91350100M000100Y43"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("entity", "data", "field", "words"),
    [
        ("contract", {"number": "C1", "amount": "-5"}, "amount", "negative"),
        (
            "contract",
            {"number": "C1", "amount": "5", "currency": "ABC"},
            "currency",
            "unknown currency",
        ),
        ("contract", {"number": "C1", "amount": "5", "tax_rate": "6"}, "tax_rate", "fraction"),
        (
            "contract",
            {"number": "C1", "amount": "5", "sign_date": "1800-01-01"},
            "sign_date",
            "outside",
        ),
        ("payment", {"number": "P1", "amount": "0"}, "amount", "positive"),
        ("customer", {"name": "bad\x07name"}, "name", "control characters"),
        ("customer", {"name": "x" * 201}, "name", "at most 200"),
        ("customer", {"name": "x", "email": "not-mail"}, "email", "e-mail"),
        (
            "milestone",
            {"name": "m", "accepted_at": "2026-01-01T00:00:00"},
            "accepted_at",
            "timezone",
        ),
        (
            "invoice",
            {"number": "F", "net": "-1", "tax": "0", "gross": "-1"},
            "reverses_id",
            "reverses",
        ),
    ],
)
def test_each_rule_reports_its_field(
    entity: str, data: dict[str, object], field: str, words: str
) -> None:
    message = problem_of(entity, data)
    assert f"{field}=" in message
    assert words in message


def test_missing_required_field() -> None:
    assert "number=None: required, but missing" in problem_of(
        "invoice", {"net": 1, "tax": 0, "gross": 1}
    )


def test_chinese_and_emoji_text_is_fine() -> None:
    customer = validate("customer", {"name": "杭州云链信息科技有限公司 🚀"})
    assert customer.name.endswith("🚀")  # type: ignore[attr-defined]


def test_aware_times_are_kept() -> None:
    when = datetime(2026, 5, 1, 10, tzinfo=UTC)
    milestone = validate("milestone", {"name": "m", "accepted_at": when, "percent": Decimal("30")})
    assert milestone.accepted_at == when  # type: ignore[attr-defined]


def test_every_entity_has_a_table() -> None:
    assert set(TABLES) == set(ENTITIES)
