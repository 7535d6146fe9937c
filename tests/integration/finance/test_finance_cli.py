"""``synchub reconcile``: a table, exit 1 while systems disagree, 0 once they agree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from finance_dataset import load
from sqlalchemy import update
from typer.testing import CliRunner

from hub.cli.app import app
from hub.finance.sql import LINK
from hub.store import make_engine

runner = CliRunner()


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    for key in list(os.environ):
        if key.startswith("SYNCHUB_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    monkeypatch.setenv("SYNCHUB_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    return url


def test_reconcile_exit_codes(store: str) -> None:
    engine = make_engine(store)
    load(engine)
    result = runner.invoke(app, ["reconcile"])
    assert result.exit_code == 1, result.output
    assert "Reconciliation: counts and totals per entity" in result.output
    assert "155,560.99" in result.output
    assert "144,959.99" in result.output
    assert "6 mismatches" in result.output
    assert "FP2026000010" in result.output
    assert "not in crm" in result.output
    limited = runner.invoke(app, ["reconcile", "--limit", "2", "--no-store"])
    assert limited.exit_code == 1
    assert "... and 4 more." in limited.output
    with engine.begin() as conn:  # as if fixed at the source and synced
        conn.execute(LINK.delete().where(LINK.c.hub_id.in_(["C3", "I3", "P4"])))
        conn.execute(update(LINK).where(LINK.c.hub_id == "K2").values(values={"status": "active"}))
        conn.execute(
            update(LINK)
            .where(LINK.c.hub_id == "I10")
            .values(values={"net": "1000", "tax": "60", "gross": "1060", "tax_rate": "0.06"})
        )
    clean = runner.invoke(app, ["reconcile"])
    assert clean.exit_code == 0, clean.output
    assert "No mismatches." in clean.output
    engine.dispose()


def test_reconcile_with_nothing_linked(store: str) -> None:
    result = runner.invoke(app, ["reconcile"])
    assert result.exit_code == 0, result.output
    assert "nothing to compare" in result.output
