"""The synchub command line, driven in-process with typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub import __version__
from hub.cli.app import app
from hub.store import make_engine
from hub.store.migrate import head_revision

runner = CliRunner()

GOOD = """\
connector: zoho-crm
stream: accounts
entity: customer
match: [tax_id]
fields:
  name: {path: Account_Name}
  tax_id: {path: Tax_ID}
  status: {path: Account_Status, values: {Active: active, Inactive: inactive}}
"""
BAD = GOOD.replace("  tax_id: {path: Tax_ID}\n", "  tax_id: {path: Tax_ID}\n  nmae: {path: X}\n")


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("SYNCHUB_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SYNCHUB_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"synchub {__version__}"


@pytest.mark.parametrize("command", [[], ["db"], ["connectors"], ["mappings"], ["sandbox"]])
def test_every_command_explains_itself(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.stdout


def test_db_upgrade_creates_the_schema_then_reports_current(tmp_path: Path) -> None:
    first = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    head = head_revision(make_engine("sqlite://"))
    assert f"empty -> {head}" in first.stdout
    current = runner.invoke(app, ["db", "current"])
    assert current.stdout.strip() == head


def test_bad_setting_exits_2_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCHUB_DATABASE_URL", "oracle://nope")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "invalid setting database_url='oracle://nope'" in result.output


def test_connectors_list_shows_installed_types() -> None:
    result = runner.invoke(app, ["connectors", "list"])
    assert result.exit_code == 0
    assert "Installed connectors" in result.stdout


def test_mappings_validate_good_and_bad(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("connectors.sdk.registry.names", lambda: ["zoho-crm"])
    folder = tmp_path / "mappings" / "zoho_crm"
    folder.mkdir(parents=True)
    (folder / "customer.yaml").write_text(GOOD, encoding="utf-8")
    ok = runner.invoke(app, ["mappings", "validate", str(tmp_path / "mappings")])
    assert ok.exit_code == 0, ok.output
    assert "1 valid, 0 invalid" in ok.stdout
    (folder / "customer.yaml").write_text(BAD, encoding="utf-8")
    bad = runner.invoke(app, ["mappings", "validate", str(tmp_path / "mappings")])
    assert bad.exit_code == 1
    assert "customer.yaml:8: fields.nmae" in bad.stdout.replace("\n", "")


def test_mappings_validate_defaults_to_the_configured_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["mappings", "validate"])
    assert result.exit_code == 1
    assert "no mapping files found at mappings" in result.output


def test_mappings_preview_shows_both_directions(tmp_path: Path) -> None:
    mapping = tmp_path / "customer.yaml"
    mapping.write_text(GOOD, encoding="utf-8")
    sample = tmp_path / "sample.json"
    sample.write_text(
        json.dumps(
            {"Account_Name": "杭州云链", "Tax_ID": "91350100M000100Y43", "Account_Status": "Active"}
        )
    )
    result = runner.invoke(
        app, ["mappings", "preview", str(mapping), "--sample", str(sample)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "remote -> canonical" in result.stdout
    assert "canonical -> remote" in result.stdout
    assert "'active'" in result.stdout
    assert "'Active'" in result.stdout
    assert "valid canonical record" in result.stdout


def test_mappings_preview_flags_what_would_be_dead_lettered(tmp_path: Path) -> None:
    mapping = tmp_path / "customer.yaml"
    mapping.write_text(GOOD, encoding="utf-8")
    sample = tmp_path / "sample.json"
    sample.write_text(
        json.dumps(
            {"Account_Name": "x", "Tax_ID": "91350100M000100Y44", "Account_Status": "Active"}
        )
    )
    result = runner.invoke(
        app, ["mappings", "preview", str(mapping), "--sample", str(sample)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    assert "would be dead-lettered" in result.stdout
    assert "tax_id" in result.stdout


def test_mappings_schema_is_json_schema() -> None:
    result = runner.invoke(app, ["mappings", "schema"])
    schema = json.loads(result.stdout)
    assert schema["title"] == "MappingSpec"
    assert "fields" in schema["properties"]


def test_mappings_validate_refuses_unknown_connector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("connectors.sdk.registry.names", lambda: ["kingdee"])
    (tmp_path / "customer.yaml").write_text(GOOD, encoding="utf-8")
    result = runner.invoke(app, ["mappings", "validate", str(tmp_path / "customer.yaml")])
    assert result.exit_code == 1
    assert "no connector named 'zoho-crm' is installed" in result.stdout


def test_sandbox_with_unknown_name_fails_clearly() -> None:
    result = runner.invoke(app, ["sandbox", "nope"])
    assert result.exit_code == 1
    assert "no connector named 'nope'" in result.output
