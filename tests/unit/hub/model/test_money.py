"""Money: Decimal, half-up to the minor unit, net + tax == gross enforced."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.model import CanonicalValidationError, round_money, tax_for, validate

cents = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False)
amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("1e9"), places=4, allow_nan=False)
rates = st.sampled_from(
    [
        Decimal("0"),
        Decimal("0.01"),
        Decimal("0.03"),
        Decimal("0.06"),
        Decimal("0.09"),
        Decimal("0.13"),
    ]
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("-0.005", "-0.01"), ("1.5", "1.50")],
)
def test_half_up_to_the_cent(value: str, expected: str) -> None:
    assert round_money(Decimal(value)) == Decimal(expected)


def test_yen_has_no_minor_unit() -> None:
    assert round_money(Decimal("100.5"), "JPY") == Decimal("101")


@given(amounts)
def test_rounding_is_within_half_a_cent(value: Decimal) -> None:
    rounded = round_money(value)
    assert abs(rounded - value) <= Decimal("0.005")
    assert rounded.as_tuple().exponent == -2


@given(amounts, rates)
def test_invoice_built_by_the_vat_rule_validates(net: Decimal, rate: Decimal) -> None:
    net = round_money(net)
    tax = tax_for(net, rate)
    invoice = validate(
        "invoice", {"number": "F1", "net": net, "tax": tax, "gross": net + tax, "tax_rate": rate}
    )
    assert invoice.net + invoice.tax == invoice.gross  # type: ignore[attr-defined]


@given(cents, cents, cents)
def test_net_plus_tax_must_equal_gross(net: Decimal, tax: Decimal, gross: Decimal) -> None:
    data = {"number": "F1", "net": net, "tax": tax, "gross": gross, "reverses_id": "orig"}
    if net + tax == gross:
        validate("invoice", data)
    else:
        with pytest.raises(CanonicalValidationError) as caught:
            validate("invoice", data)
        assert "gross" in caught.value.fields


def test_amounts_are_rounded_before_the_arithmetic_check() -> None:
    invoice = validate("invoice", {"number": "F1", "net": "100.005", "tax": "6", "gross": "106.01"})
    assert invoice.net == Decimal("100.01")  # type: ignore[attr-defined]


def test_float_input_is_read_by_its_shortest_repr() -> None:
    contract = validate("contract", {"number": "C1", "amount": 0.1 + 0.2})
    assert contract.amount == Decimal("0.30")  # type: ignore[attr-defined]
