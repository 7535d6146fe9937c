"""The SQLite bulk-insert path stores exactly what SQLAlchemy's own insert would."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, Table, insert, select

from hub.store import upgrade
from hub.store.bulk import insert_many
from hub.sync.repo import CHANGE, LINK, entity_table

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2026, 12, 4, 20, 0, 5, 123456, tzinfo=SHANGHAI)


def _contract(n: int) -> dict[str, Any]:
    """A contract row with money, an exact decimal, dates, JSON and an enum defaulted."""
    return {
        "id": f"K{n}",
        "number": f"HT{n}",
        "customer_id": None,
        "title": f"合同 {n}",
        "amount": Decimal("1234567.89") + n,
        "currency": "CNY",
        "tax_rate": Decimal("0.06"),
        "sign_date": date(2026, 1, n + 1),
        "created_at": NOW,
        "updated_at": NOW,
        "deleted_at": None,
        "extra": {"来源": "crm", "n": n},
    }


def _stored(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    """The rows as the database holds them (text, integers), not as the types read them."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY 1")]  # noqa: S608


@pytest.mark.parametrize(
    ("table", "rows"),
    [
        (entity_table("contract"), [_contract(n) for n in range(3)]),
        (
            CHANGE,
            [
                {
                    "entity": "customer",
                    "hub_id": f"h{n}",
                    "version": 1,
                    "source": "crm",
                    "run_id": "r",
                    "at": NOW,
                }
                for n in range(3)
            ],
        ),
        (
            LINK,
            [
                {
                    "entity": "customer",
                    "hub_id": f"h{n}",
                    "connector": "crm",
                    "stream": "accounts",
                    "remote_id": str(n),
                    "values": {"name": "云链", "amount": "1.50"},
                    "raw": {"Account_Name": "云链"} if n != 1 else None,
                    "hash": "x",
                    "updated_at": NOW,
                }
                for n in range(3)
            ],
        ),
    ],
    ids=["contract", "change", "link"],
)
def test_bulk_rows_equal_sqlalchemy_rows(
    sqlite_engine: Engine, tmp_path: Any, table: Table, rows: list[dict[str, Any]]
) -> None:
    from hub.store import make_engine

    reference = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    upgrade(reference)
    upgrade(sqlite_engine)
    with reference.begin() as conn:
        conn.execute(insert(table), rows)
    with sqlite_engine.begin() as conn:
        insert_many(conn, table, rows)
    fast = _stored(sqlite_engine, table)
    assert fast == _stored(reference, table)
    assert len(fast) == 3
    with sqlite_engine.connect() as conn:
        typed = conn.execute(select(table)).mappings().all()
    if table is CHANGE:  # omitted columns got SQLAlchemy's defaults; times come back UTC
        assert all(r["fields"] == [] for r in typed)
        assert typed[0]["at"] == NOW.astimezone(UTC)
    if table is LINK:  # a JSON None is JSON null, as SQLAlchemy stores it
        assert [r[0] for r in _raw_is_null(sqlite_engine)] == [0, 0, 0]


def _raw_is_null(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql("SELECT raw IS NULL FROM link ORDER BY id")]


def test_bad_values_still_raise_the_column_types_error(sqlite_engine: Engine) -> None:
    upgrade(sqlite_engine)
    row = _contract(1) | {"amount": Decimal("1.005")}
    with sqlite_engine.begin() as conn, pytest.raises(ValueError, match="two decimal places"):
        insert_many(conn, entity_table("contract"), [row])
    with sqlite_engine.begin() as conn, pytest.raises(ValueError, match="naive datetime"):
        insert_many(
            conn,
            CHANGE,
            [
                {
                    "entity": "c",
                    "hub_id": "h",
                    "version": 1,
                    "source": "crm",
                    "at": datetime(2026, 1, 1),  # noqa: DTZ001 (naive, the point)
                }
            ],
        )


def test_rows_with_differing_keys_get_sqlalchemys_answer(sqlite_engine: Engine) -> None:
    upgrade(sqlite_engine)
    first = {"entity": "c", "hub_id": "a", "version": 1, "source": "crm", "at": NOW}
    with sqlite_engine.begin() as conn, pytest.raises(Exception, match="hub_id"):
        insert_many(conn, CHANGE, [first, {k: v for k, v in first.items() if k != "hub_id"}])
    assert _stored(sqlite_engine, CHANGE) == []
