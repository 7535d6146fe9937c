"""The floor under a full pull: what fetching, parsing and the store's writes cost alone.

Run after ``python -m bench.run --only full_pull`` (which leaves ``var/bench/raw.db`` and
``var/bench/hub.db`` behind):

    python -m bench.floor

It re-inserts, with bare ``sqlite3.executemany`` and 200 records a commit, (1) the raw
loop's rows, which split the raw loop's time into fetch-and-parse and insert, and (2)
exactly the rows the hub wrote (canonical row, link, change-log entry) into a store with
the same indexes and WAL settings. Fetch-and-parse plus the hub's writes is the fastest
any hub that keeps links and a change log could pull, before mapping, validation,
matching or merging (docs/decisions.md, "The full-pull targets ... below the hub's floor").
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.measure import ROOT

WORK = ROOT / "var" / "bench"
HUB_TABLES = ("customer", "link", "change")
PAGE = 200


def _fresh(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA wal_autocheckpoint=10000")  # as hub.store.engine sets
    return conn


def reinsert_seconds(source: Path, tables: tuple[str, ...]) -> tuple[int, float]:
    """(records, seconds) to re-insert ``tables`` of ``source`` page by page, indexes included."""
    src = sqlite3.connect(source)
    data = {t: src.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}  # noqa: S608
    marks = ",".join("?" * len(tables))
    query = f"SELECT sql FROM sqlite_master WHERE tbl_name IN ({marks}) AND sql IS NOT NULL"  # noqa: S608
    ddl = [row[0] for row in src.execute(query + " ORDER BY type DESC", tables)]  # tables first
    src.close()
    records = len(data[tables[0]])
    with tempfile.TemporaryDirectory() as folder:
        dst = _fresh(Path(folder) / "floor.db")
        for statement in ddl:
            dst.execute(statement)
        dst.commit()
        started = time.perf_counter()
        for start in range(0, records, PAGE):
            for table in tables:
                rows = data[table][start : start + PAGE]
                if rows:
                    marks = ",".join("?" * len(rows[0]))
                    dst.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)  # noqa: S608
            dst.commit()
        seconds = time.perf_counter() - started
        dst.close()
    return records, seconds


def measure(runs: int = 3) -> dict[str, Any]:
    """Microseconds a record: the raw loop's insert, the hub's writes, and the floor."""
    dated = sorted(ROOT.glob("bench/results/20[0-9][0-9]-[0-9][0-9]-[0-9][0-9].json"))
    results = json.loads(dated[-1].read_text())
    raw_rate = results["scenarios"]["full_pull"]["full"]["raw"]["records_per_s"]["median"]
    raw_us = 1e6 / raw_rate
    raw_insert, hub_writes = [], []
    for _ in range(runs):
        n, s = reinsert_seconds(WORK / "raw.db", ("accounts",))
        raw_insert.append(s / n * 1e6)
        n, s = reinsert_seconds(WORK / "hub.db", HUB_TABLES)
        hub_writes.append(s / n * 1e6)
    fetch_parse = raw_us - statistics.median(raw_insert)
    floor = fetch_parse + statistics.median(hub_writes)
    return {
        "records": n,
        "raw_loop_us": round(raw_us, 1),
        "raw_insert_us": round(statistics.median(raw_insert), 1),
        "fetch_parse_us": round(fetch_parse, 1),
        "hub_writes_us": round(statistics.median(hub_writes), 1),
        "floor_us": round(floor, 1),
        "floor_records_per_s": round(1e6 / floor),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    print(json.dumps(measure(parser.parse_args().runs), indent=2))


if __name__ == "__main__":
    main()
