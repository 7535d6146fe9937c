"""Canonical customers made in the store directly, as if another system had brought them in.

The push scenario needs N customers the target system has never seen; making
them with the hub's own batched store functions (``hub.sync.repo``), with a
change-log row each from a source that is not the target, is exactly the state
a pull from a third system leaves behind.
"""

from __future__ import annotations

import random
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.sdk.cn import make_uscc
from hub.model import validate
from hub.store import make_engine, upgrade
from hub.sync import repo
from hub.sync.names import normalise_name
from hub.sync.values import json_values

BATCH = 1000


def customer_values(n: int, rng: random.Random) -> dict[str, Any]:
    """A valid canonical customer, distinct for each ``n``."""
    return {
        "name": f"苏州基准{n:07d}号软件有限公司",
        "tax_id": make_uscc(rng, "320500"),
        "address": f"苏州市工业园区星湖街{n + 1}号",
        "phone": f"0512-{60000000 + n}",
        "email": f"ap.c{n}@example.cn",
        "industry": "软件和信息技术服务",
        "status": "active",
        "bank_name": "中国工商银行",
        "bank_account": str(1102020000000000 + n),
    }


def seed_store(db: str, count: int, *, source: str = "bench", seed: int = 5) -> None:
    """A fresh store at ``db`` holding ``count`` customers with one change each."""
    for leftover in Path(db).parent.glob(Path(db).name + "*"):
        leftover.unlink()
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    run_id = str(uuid.uuid4())
    for start in range(0, count, BATCH):
        rows, changes = [], []
        for n in range(start, min(start + BATCH, count)):
            values = validate("customer", customer_values(n, rng)).model_dump()
            hub_id = str(uuid.uuid4())
            rows.append(
                {
                    **values,
                    "id": hub_id,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                    "deleted_at": None,
                    "extra": {},
                    "provenance": {f: [source, run_id] for f, v in values.items() if v},
                    "name_key": normalise_name(values["name"]),
                }
            )
            changes.append(
                {
                    "entity": "customer",
                    "hub_id": hub_id,
                    "version": 1,
                    "fields": sorted(k for k, v in json_values(values).items() if v is not None),
                    "source": source,
                    "run_id": run_id,
                    "at": now,
                }
            )
        with engine.begin() as conn:
            repo.insert_rows(conn, "customer", rows)
            repo.insert_changes(conn, changes)
    engine.dispose()


def copy_store(template: str, db: str) -> None:
    """Start a run from the seeded template (SQLite files copied, WAL checkpointed first)."""
    for leftover in Path(db).parent.glob(Path(db).name + "*"):
        leftover.unlink()
    engine = make_engine(f"sqlite:///{template}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    shutil.copyfile(template, db)
