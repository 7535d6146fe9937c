"""On PostgreSQL, change-log appends are serialised, so sequence order is commit order.

Without that, a push reading the log while an earlier-numbered append is still
uncommitted would move its cursor past it and never send that change.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import Engine, select, text

from hub.store import upgrade
from hub.sync import repo

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def change(hub_id: str) -> dict[str, object]:
    return {
        "entity": "customer",
        "hub_id": hub_id,
        "version": 1,
        "fields": ["name"],
        "source": "test",
        "run_id": None,
        "at": NOW,
    }


def wait_for_lock_waiter(engine: Engine, deadline: float = 10.0) -> bool:
    """Until a session waits on an advisory lock (observed in pg_locks), or the deadline."""
    end = time.monotonic() + deadline
    with engine.connect() as conn:
        while time.monotonic() < end:
            waiting = conn.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            ).scalar_one()
            if waiting:
                return True
            conn.rollback()
    return False


def test_a_later_append_waits_for_the_earlier_one_to_commit(pg_engine: Engine) -> None:
    upgrade(pg_engine)
    first = pg_engine.connect()
    first_tx = first.begin()
    repo.insert_changes(first, [change("first")])
    done = threading.Event()

    def second_writer() -> None:
        with pg_engine.begin() as conn:
            repo.insert_changes(conn, [change("second")])
        done.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    try:
        assert wait_for_lock_waiter(pg_engine), "the second append never waited for the lock"
        assert not done.is_set()
        with pg_engine.connect() as reader:  # nothing visible yet: no gap to skip
            assert reader.execute(select(repo.CHANGE.c.hub_id)).all() == []
        first_tx.commit()
    finally:
        first.close()
        thread.join(timeout=10)
    assert done.is_set()
    with pg_engine.connect() as reader:
        rows = (
            reader.execute(select(repo.CHANGE.c.hub_id).order_by(repo.CHANGE.c.seq)).scalars().all()
        )
    assert rows == ["first", "second"]
