"""Money rules: Decimal amounts in an ISO currency, rounded half-up to its minor unit."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 minor units of the currencies our users invoice in.
MINOR_UNITS: dict[str, int] = {
    "CNY": 2,
    "USD": 2,
    "EUR": 2,
    "HKD": 2,
    "GBP": 2,
    "SGD": 2,
    "AUD": 2,
    "CAD": 2,
    "CHF": 2,
    "TWD": 2,
    "MOP": 2,
    "MYR": 2,
    "THB": 2,
    "AED": 2,
    "SAR": 2,
    "INR": 2,
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "IDR": 2,
}
MAX_AMOUNT = Decimal("1e13")  # ten trillion: beyond any single document we will meet


def minor_unit(currency: str) -> int:
    """Decimal places of ``currency``; ``ValueError`` for a currency we do not know."""
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise ValueError(
            f"unknown currency {currency!r}; expected an ISO 4217 code such as CNY"
        ) from None


def to_decimal(value: object) -> Decimal:
    """Parse a number without passing through binary floating point where avoidable."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    elif isinstance(value, int | str):
        try:
            result = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    elif isinstance(value, float):
        result = Decimal(
            repr(value)
        )  # shortest repr: 0.1 -> Decimal('0.1'), not 0.1000000000000000055
    else:
        raise ValueError(f"not a number: {value!r}")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def round_money(amount: Decimal, currency: str = "CNY") -> Decimal:
    """Round half-up to the currency's minor unit (0.005 CNY -> 0.01)."""
    exponent = Decimal(1).scaleb(-minor_unit(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def tax_for(net: Decimal, rate: Decimal, currency: str = "CNY") -> Decimal:
    """VAT on ``net`` at ``rate``, rounded half-up per the invoice rule."""
    return round_money(net * rate, currency)
