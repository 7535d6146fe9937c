"""``synchub demo`` with each choice of finance system and project tool.

The demo's second pipeline (``crm-delivery``) sends CRM contracts and milestones to
the project tool, the delivery team finishes some milestones there, and the next run
brings that back: those milestones' status is then set by the project tool in the
hub and written to the CRM.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from hub.cli.app import app
from hub.demo.run import CRM, DELIVERY_PIPELINE, PIPELINE, PM
from hub.store import make_engine
from hub.sync import repo

runner = CliRunner()


def _demo(folder: Path, *options: str) -> str:
    result = runner.invoke(
        app,
        ["demo", "--no-serve", "--folder", str(folder), "--companies", "10", *options],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    return result.output


def _finished_in_the_tool(folder: Path) -> dict[str, tuple[str, str | None]]:
    """Milestones whose status the project tool set: hub status and the CRM's copy of it."""
    engine = make_engine(f"sqlite:///{folder / 'demo.db'}")
    table = repo.entity_table("milestone")
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(table.c.id, table.c.status, table.c.provenance)).all()
            mine = {
                str(r.id): str(r.status)
                for r in rows
                if (r.provenance or {}).get("status", [None])[0] == PM
            }
            crm = repo.links_by_hub(conn, CRM, "milestone", list(mine))
    finally:
        engine.dispose()
    return {h: (status, (crm[h]["values"] or {}).get("status")) for h, status in mine.items()}


@pytest.mark.parametrize(
    ("options", "titles", "delivers"),
    [
        ((), ("Kingdee K/3 Cloud", "Jira Cloud"), True),
        (("--finance", "yonyou-bip", "--delivery", "zentao"), ("Yonyou YonBIP", "ZenTao"), False),
    ],
    ids=["default-kingdee-jira", "yonbip-zentao"],
)
def test_demo_variant_syncs_finance_and_delivery(
    tmp_path: Path, options: tuple[str, ...], titles: tuple[str, str], delivers: bool
) -> None:
    output = _demo(tmp_path, *options)

    for title in titles:
        assert f"{title} sandbox" in output
    assert f"pipeline {PIPELINE}:" in output
    assert f"pipeline {DELIVERY_PIPELINE}: succeeded" in output
    assert f"pipeline {DELIVERY_PIPELINE}: partial" not in output  # finance-only contracts too
    config = yaml.safe_load((tmp_path / "hub.yaml").read_text(encoding="utf-8"))
    assert list(config["pipelines"]) == [PIPELINE, DELIVERY_PIPELINE]
    said = re.search(r"accepted (\d+) and delivered (\d+) milestones", output)
    assert said is not None, output
    accepted, delivered = int(said[1]), int(said[2])
    assert accepted > 0
    assert (delivered > 0) == delivers  # ZenTao's "delivered" needs tasks burnt down
    news = _finished_in_the_tool(tmp_path)
    statuses = sorted(hub for hub, _ in news.values())
    assert statuses == ["accepted"] * accepted + ["delivered"] * delivered
    assert all(hub == crm for hub, crm in news.values())  # and the CRM was told


def test_demo_without_a_project_tool_has_one_pipeline(tmp_path: Path) -> None:
    output = _demo(tmp_path, "--delivery", "none")
    assert "Delivery" not in output
    config = yaml.safe_load((tmp_path / "hub.yaml").read_text(encoding="utf-8"))
    assert list(config["pipelines"]) == [PIPELINE]
    assert set(config["connectors"]) == {"crm", "erp"}


def test_an_unknown_variant_is_refused_with_the_choices(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["demo", "--no-serve", "--folder", str(tmp_path), "--finance", "sap"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 2
    assert "unknown finance system 'sap' (choose from kingdee, yonyou-bip)" in result.output
