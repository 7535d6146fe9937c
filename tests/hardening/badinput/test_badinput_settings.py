"""Bad settings stop start-up with one line that names the key (or file and line), never a secret.

Through hub.yaml and through SYNCHUB_* variables, and through the CLI, which
must print the reason and exit 2 instead of a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli.app import app
from hub.settings import SettingsError, load_settings

SECRET = "s3cr3t-planted-in-settings-7f1c"
CRM = f"connectors:\n  crm: {{type: zoho-crm, config: {{client_secret: {SECRET}}}}}\n"

# (hub.yaml text, words the one-line error must contain)
FILES: dict[str, tuple[str, list[str]]] = {
    "unknown-key": ("datbase_url: x\n", ["unknown setting 'datbase_url'", "SYNCHUB_DATBASE_URL"]),
    "wrong-type": ("web:\n  port: eighty\n", ["web.port='eighty'", "valid integer"]),
    "port-range": ("web: {port: 70000}\n", ["web.port=70000", "less than or equal to 65535"]),
    "database-url": ("database_url: mysql://x\n", ["database_url='mysql://x'", "expected sqlite"]),
    "timezone": ("timezone: Mars/Base\n", ["timezone='Mars/Base'", "IANA time zone"]),
    "log-level": ("log_level: LOUD\n", ["log_level='LOUD'", "'DEBUG'"]),
    "broker": ("broker_url: http://x\n", ["broker_url='http://x'", "redis://"]),
    "connector-key": (
        "connectors:\n  crm: {type: zoho-crm, colour: red}\n",
        ["unknown setting 'connectors.crm.colour'"],
    ),
    "unknown-pipeline-connector": (
        CRM + "pipelines:\n  p: {streams: [{connector: erp, stream: customers}]}\n",
        ["pipelines.p.streams[0].connector: no connector instance 'erp'", "configured: crm"],
    ),
    "interval-and-cron": (
        CRM
        + "pipelines:\n  p:\n    streams: [{connector: crm, stream: accounts}]\n"
        + "    schedule: {interval_minutes: 5, cron: '* * * * *'}\n",
        ["pipelines.p.schedule", "exactly one of interval_minutes or cron"],
    ),
    "bad-cron": (
        CRM
        + "pipelines:\n  p:\n    streams: [{connector: crm, stream: accounts}]\n"
        + "    schedule: {cron: '99 * * * *'}\n",
        ["pipelines.p.schedule", "higher than the maximum value (59)"],
    ),
    "budget-without-connector": (
        "budgets:\n  erp: {daily_limit: 100}\n",
        ["budgets.erp: no connector instance 'erp'"],
    ),
    "secret-as-a-map": ("secret_key: {nested: value}\n", ["secret_key=<hidden>"]),
    "tab-indent": ("web:\n\tport: 80\n", ["hub.yaml:2 is not valid YAML", "'\\t'"]),
    "unclosed": ("web: [unclosed\n", ["hub.yaml:2 is not valid YAML"]),
    "a-list": ("- database_url\n- web\n", ["must hold keys and values", "not a list"]),
    "a-scalar": ("just words\n", ["must hold keys and values", "not a str"]),
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("SYNCHUB_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("case", sorted(FILES))
def test_a_bad_config_file_names_the_key_and_hides_secrets(case: str, tmp_path: Path) -> None:
    text, words = FILES[case]
    path = tmp_path / "hub.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    message = str(caught.value)
    for word in words:
        assert word in message, message
    assert SECRET not in message
    assert "Traceback" not in message


def test_a_non_utf8_config_file_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "hub.yaml"
    path.write_bytes(b"web: {port: 80}\ntimezone: caf\xe9\n")
    with pytest.raises(SettingsError, match=r"hub.yaml:2 is not UTF-8 text"):
        load_settings(path)


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("SYNCHUB_WEB__PORT", "abc", ["web.port='abc'", "$SYNCHUB_WEB__PORT"]),
        ("SYNCHUB_LOG_LEVEL", "LOUD", ["log_level='LOUD'"]),
        ("SYNCHUB_CONNECTORS", "{not json", ['field "connectors"', "must be JSON"]),
        (
            "SYNCHUB_CONNECTORS__CRM__CONFIG__CLIENT_SECRET",
            SECRET,
            ["setting 'connectors.crm.type' is required"],
        ),
    ],
)
def test_a_bad_environment_variable_names_itself(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, words: list[str]
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(None)
    for word in words:
        assert word in str(caught.value), str(caught.value)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("case", ["unknown-pipeline-connector", "tab-indent", "a-list"])
def test_the_cli_prints_the_reason_and_exits_2(case: str, tmp_path: Path) -> None:
    path = tmp_path / "hub.yaml"
    path.write_text(FILES[case][0], encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(path), "connectors", "list"])
    assert result.exit_code == 2, result.output
    assert "configuration error:" in result.output
    assert SECRET not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
