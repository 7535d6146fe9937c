"""The operator's command line over a live demo: list, dry-run, run, inspect, work the queues."""

from __future__ import annotations

from e2e_support import Hub
from typer.testing import CliRunner

from hub.cli.app import app
from hub.demo.run import CRM
from hub.sync import conflicts as conflict_ops
from hub.sync import dlq

runner = CliRunner()


def cli(hub: Hub, *args: str) -> str:
    result = runner.invoke(
        app, ["--config", str(hub.demo.config_file), *args], env={"COLUMNS": "220"}
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_operator_workflow(hub: Hub) -> None:
    listing = cli(hub, "pipelines", "list")
    assert "crm-erp" in listing
    assert "crm.accounts both" in listing
    assert "never" in listing

    dry = cli(hub, "sync", "run", "crm-erp", "--dry-run")
    assert "DRY RUN of pipeline crm-erp" in dry
    assert "nothing was written" in dry

    run = cli(hub, "sync", "run", "crm-erp")
    assert (
        "pipeline crm-erp: partial" in run
    )  # the demo's planted flaws: dead letters and conflicts
    assert "dead-lettered" in run
    assert "synchub conflicts list" in run

    runs = cli(hub, "runs", "list")
    assert "partial" in runs
    assert "(dry)" in runs

    letter = next(x for x in dlq.list_letters(hub.demo.engine) if x["connector"] == CRM)
    assert str(letter["id"]) in cli(hub, "dlq", "list")
    shown = cli(hub, "dlq", "show", str(letter["id"]))
    assert "payload:" in shown
    assert letter["stage"] in shown

    conflicts = cli(hub, "conflicts", "list")
    assert "match" in conflicts
    assert conflict_ops.list_conflicts(hub.demo.engine)

    account = hub.links(CRM, "customer")[0]
    record = cli(hub, "records", "show", "customer", account["hub_id"])
    assert "set by" in record
    assert f"crm.accounts remote id {account['remote_id']}" in record
    assert '"Account_Name"' in record  # the raw vendor payload
