"""Migrations on both stores, and the uniqueness that makes links one-to-one."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from hub.model import Customer, Invoice
from hub.store import Link, current_revision, upgrade

NOW = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
TABLES = {
    "customer",
    "contact",
    "contract",
    "milestone",
    "invoice",
    "payment",
    "link",
    "change",
    "cursor",
    "run",
    "run_event",
    "dead_letter",
    "conflict",
    "audit",
}


def test_upgrade_creates_every_table(any_engine: Engine) -> None:
    assert current_revision(any_engine) is None
    upgrade(any_engine)
    assert current_revision(any_engine) is not None
    assert set(inspect(any_engine).get_table_names()) >= TABLES


def test_upgrade_is_idempotent(any_engine: Engine) -> None:
    upgrade(any_engine)
    revision = current_revision(any_engine)
    upgrade(any_engine)
    assert current_revision(any_engine) == revision


def link_row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "entity": "customer",
        "hub_id": "h1",
        "connector": "crm",
        "stream": "accounts",
        "remote_id": "r1",
        "updated_at": NOW,
    }
    row.update(overrides)
    return row


@pytest.mark.parametrize(
    "duplicate",
    [
        {"remote_id": "r2"},  # same hub record linked twice in one connector
        {"hub_id": "h2"},  # same remote record claimed by two hub records
    ],
)
def test_links_are_one_to_one(any_engine: Engine, duplicate: dict[str, object]) -> None:
    upgrade(any_engine)
    table = Link.__table__  # type: ignore[attr-defined]
    with any_engine.begin() as conn:
        conn.execute(insert(table).values(link_row()))
    with pytest.raises(IntegrityError), any_engine.begin() as conn:
        conn.execute(insert(table).values(link_row(**duplicate)))


def test_same_record_may_link_to_each_connector_once(any_engine: Engine) -> None:
    upgrade(any_engine)
    table = Link.__table__  # type: ignore[attr-defined]
    with any_engine.begin() as conn:
        conn.execute(insert(table).values(link_row()))
        conn.execute(insert(table).values(link_row(connector="erp", stream="customers")))
        assert len(conn.execute(select(table.c.id)).all()) == 2


def test_money_and_times_round_trip_exactly(any_engine: Engine) -> None:
    upgrade(any_engine)
    with any_engine.begin() as conn:
        conn.execute(
            insert(Customer.__table__).values(  # type: ignore[attr-defined]
                id="c1",
                name="杭州云链",
                created_at=NOW,
                updated_at=NOW,
                provenance={},
                extra={},
                status="active",
            )
        )
        conn.execute(
            insert(Invoice.__table__).values(  # type: ignore[attr-defined]
                id="i1",
                number="FP1",
                customer_id="c1",
                net=Decimal("1234567.89"),
                tax=Decimal("74074.07"),
                gross=Decimal("1308641.96"),
                tax_rate=Decimal("0.06"),
                currency="CNY",
                kind="vat_special",
                status="issued",
                created_at=NOW,
                updated_at=NOW,
                provenance={},
                extra={},
                e_invoice=False,
            )
        )
        row = conn.execute(select(Invoice.__table__)).mappings().one()  # type: ignore[attr-defined]
    assert row["gross"] == Decimal("1308641.96")
    assert row["tax_rate"] == Decimal("0.06")
    assert row["created_at"] == NOW
    assert row["created_at"].tzinfo is not None


def test_naive_datetimes_are_refused(any_engine: Engine) -> None:
    upgrade(any_engine)
    with pytest.raises(Exception, match="naive datetime"), any_engine.begin() as conn:
        conn.execute(insert(Link.__table__).values(link_row(updated_at=datetime(2026, 1, 1))))  # type: ignore[attr-defined]  # noqa: DTZ001


def test_sqlite_runs_in_wal_mode(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
