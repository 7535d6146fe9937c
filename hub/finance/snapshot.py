"""Figures snapshot: the expensive per-invoice, per-contract and per-milestone sums, materialised.

Every finance page needs figures that depend on every invoice and payment (open
balances, FIFO milestone invoicing, contract execution). Computed live they cost
several full scans per page; with 100,000 invoices that is seconds. So they are
materialised into four small tables, rebuilt in SQL (``INSERT ... SELECT`` from
the same query builders the BI views mirror) whenever the store changed:

- ``finance_open_invoice``: every receivable with a positive open balance;
- ``finance_contract_figures``: contract execution figures and flags (as of a day);
- ``finance_milestone_figures``: each milestone's value and invoiced part;
- ``finance_month_figures``: milestone revenue, invoiced and collected per month
  and contract type.

"Changed" is a fingerprint: row count and latest ``updated_at`` of each canonical
table (both index-only reads), plus the business date and zone. Any insert, edit
or soft delete (they all stamp ``updated_at``) or hard delete (the count) moves
it, whether it came through the sync engine or not. ``ensure`` checks it once per
connection block and rebuilds under a lock when it moved; pages then read the
snapshot through indexes.
"""

from __future__ import annotations

import logging
import time
import weakref
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import OperationalError

from hub.finance.sql import CONTRACT, CUSTOMER, INVOICE, MILESTONE, PAYMENT, Sql, business_today
from hub.finance.tables_figures import (
    CONTRACT_FIGURES,
    CUSTOMER_AGEING,
    FIGURES,
    FORECAST_DAY,
    MILESTONE_FIGURES,
    MONTH_FIGURES,
    OPEN_INVOICE,
    RATABLE_MONTH,
    SNAPSHOT,
)
from hub.settings import Settings

log = logging.getLogger(__name__)
FIGURE_TABLES = (
    OPEN_INVOICE,
    CONTRACT_FIGURES,
    MILESTONE_FIGURES,
    MONTH_FIGURES,
    CUSTOMER_AGEING,
    FORECAST_DAY,
    RATABLE_MONTH,
)
WATCHED = (CUSTOMER, CONTRACT, MILESTONE, INVOICE, PAYMENT)

LOCK_KEY = 0x5F1_0A4C  # the advisory lock id of the rebuild (PostgreSQL)
_checked: weakref.WeakKeyDictionary[Connection, str] = weakref.WeakKeyDictionary()


def fingerprint(conn: Connection, sql: Sql, today: date) -> str:
    """What the snapshot was built from: per table (count, latest update), the day, the zone."""
    parts: list[Any] = []
    for table in WATCHED:
        parts.append(select(func.count()).select_from(table).scalar_subquery())
        parts.append(select(func.max(table.c.updated_at)).scalar_subquery())
    row = conn.execute(select(*parts)).one()
    stamps = ",".join("" if v is None else str(v) for v in row)
    return f"{today.isoformat()}|{sql.zone.key}|{stamps}"


def ensure(conn: Connection, sql: Sql, today: date) -> None:
    """Make the snapshot current for ``today`` (a fingerprint read when nothing changed).

    Checked once per connection block (one page, one command): figures read later in
    the same block come from the same snapshot.
    """
    if conn in _checked:
        return
    current = fingerprint(conn, sql, today)
    stored = conn.execute(
        select(SNAPSHOT.c.fingerprint).where(SNAPSHOT.c.key == FIGURES)
    ).scalar_one_or_none()
    if stored != current:
        try:
            _rebuild(conn, sql, today, current)
        except OperationalError:
            # another process rebuilt (or is rebuilding) meanwhile: retry in a fresh transaction
            conn.rollback()
            _rebuild(conn, sql, today, fingerprint(conn, sql, today))
    _checked[conn] = current


def _rebuild(conn: Connection, sql: Sql, today: date, mark: str) -> None:
    started = time.perf_counter()
    if sql.pg:  # one rebuilder at a time; the others wait, then find it done
        conn.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
        again = conn.execute(
            select(SNAPSHOT.c.fingerprint).where(SNAPSHOT.c.key == FIGURES)
        ).scalar_one_or_none()
        if again == mark:
            conn.commit()
            return
    from hub.finance.builders import fill_figures  # the builders import the readers' modules

    for table in FIGURE_TABLES:
        conn.execute(delete(table))
    fill_figures(conn, sql, today)
    elapsed = int((time.perf_counter() - started) * 1000)
    values = {"fingerprint": mark, "built_at": _now(), "build_ms": elapsed}
    done = conn.execute(update(SNAPSHOT).where(SNAPSHOT.c.key == FIGURES).values(values)).rowcount
    if not done:
        conn.execute(insert(SNAPSHOT).values(key=FIGURES, **values))
    conn.commit()
    log.info("finance figures rebuilt in %d ms", elapsed)


def _now() -> datetime:
    return datetime.now(UTC)


def refresh_figures(settings: Settings, engine: Engine) -> bool:
    """Bring the snapshot up to date now (a job to schedule after syncs); whether it was rebuilt.

    Pages rebuild it themselves when needed; running this after each sync moves the
    rebuild's seconds off the first page someone opens.
    """
    today = business_today(settings.zone)
    with engine.connect() as conn:
        sql = Sql.of(conn, settings.zone)
        mark = fingerprint(conn, sql, today)
        stored = conn.execute(
            select(SNAPSHOT.c.fingerprint).where(SNAPSHOT.c.key == FIGURES)
        ).scalar_one_or_none()
        if stored == mark:
            return False
        ensure(conn, sql, today)
    return True
