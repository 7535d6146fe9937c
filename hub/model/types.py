"""Column types that keep the model's promises in every database.

- ``MoneyType``: Decimal in Python, an integer count of 1/100 units in the
  database (exact in SQLite and PostgreSQL alike, and SUM-able in SQL).
- ``DecimalText``: exact decimals that are never summed (tax rates, percents).
- ``UtcDateTime``: refuses naive datetimes, stores UTC, returns aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, String
from sqlalchemy.types import TypeDecorator
from typing_extensions import override

MONEY_SCALE = 100


class MoneyType(TypeDecorator[Decimal]):
    """Decimal amounts stored as integer hundredths."""

    impl = BigInteger
    cache_ok = True

    @override
    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value) * MONEY_SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"amount {value} has more than two decimal places; round it first")
        return int(scaled)

    @override
    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / MONEY_SCALE).quantize(Decimal("0.01"))


class DecimalText(TypeDecorator[Decimal]):
    """Exact decimals kept as their canonical text."""

    impl = String(40)
    cache_ok = True

    @override
    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else str(Decimal(value))

    @override
    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes, normalised to UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @override
    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: attach a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    @override
    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        parsed: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
