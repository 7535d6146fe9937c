"""Settings: defaults < YAML file < environment, and one clear line for a bad value."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(__import__("os").environ):
        if key.startswith("SYNCHUB_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no config/hub.yaml here


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hub.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///var/synchub.db"
    assert settings.timezone == "Asia/Shanghai"


def test_yaml_overrides_defaults_and_env_overrides_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "timezone: Europe/Berlin\nlog_level: DEBUG\nweb:\n  port: 9000\n")
    assert load_settings(path).timezone == "Europe/Berlin"
    monkeypatch.setenv("SYNCHUB_TIMEZONE", "UTC")
    monkeypatch.setenv("SYNCHUB_WEB__PORT", "9100")
    settings = load_settings(path)
    assert (settings.timezone, settings.log_level, settings.web.port) == ("UTC", "DEBUG", 9100)


def test_config_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCHUB_CONFIG", str(write(tmp_path, "log_level: WARNING\n")))
    assert load_settings().log_level == "WARNING"


def test_connector_secret_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(
        tmp_path, "connectors:\n  crm:\n    type: zoho-crm\n    config:\n      client_id: abc\n"
    )
    monkeypatch.setenv("SYNCHUB_CONNECTORS__CRM__CONFIG__CLIENT_SECRET", "from-env")
    config = load_settings(path).connectors["crm"].config
    assert config == {"client_id": "abc", "client_secret": "from-env"}


def test_postgres_url_gets_the_psycopg_driver() -> None:
    settings = load_settings(database_url="postgresql://u@h:5432/db")
    assert settings.database_url == "postgresql+psycopg://u@h:5432/db"


@pytest.mark.parametrize(
    ("env", "value", "expected"),
    [
        (
            "SYNCHUB_DATABASE_URL",
            "mysql://x",
            "invalid setting database_url='mysql://x' (from $SYNCHUB_DATABASE_URL): expected sqlite:///",
        ),
        ("SYNCHUB_TIMEZONE", "Mars/Olympus", "invalid setting timezone='Mars/Olympus'"),
        ("SYNCHUB_WEB__PORT", "99999", "invalid setting web.port='99999'"),
        ("SYNCHUB_LOG_LEVEL", "LOUD", "invalid setting log_level='LOUD'"),
    ],
)
def test_bad_value_is_one_line_naming_key_value_and_expectation(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert expected in message


def test_unknown_key_in_yaml_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="unknown setting 'databse_url'"):
        load_settings(write(tmp_path, "databse_url: sqlite:///x.db\n"))


def test_secret_values_are_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCHUB_SECRET_KEY", "")
    monkeypatch.setenv("SYNCHUB_WEB__PORT", "nope")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "nope" in str(caught.value)


def test_missing_config_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "nope.yaml")


def _keys(model: type, prefix: str = "") -> set[str]:
    keys = set()
    for name, field in model.model_fields.items():  # type: ignore[attr-defined]
        annotation = field.annotation
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            keys |= _keys(annotation, f"{prefix}{name}.")
        else:
            keys.add(f"{prefix}{name}")
    return keys


def test_example_files_document_every_key() -> None:
    yaml_text = (ROOT / "config" / "hub.example.yaml").read_text(encoding="utf-8")
    env_text = (ROOT / "config" / ".env.example").read_text(encoding="utf-8")
    for key in _keys(Settings):
        leaf = key.rsplit(".", 1)[-1]
        assert re.search(rf"^\s*#?\s*{leaf}:", yaml_text, re.M), (
            f"{key} missing from hub.example.yaml"
        )
        env = "SYNCHUB_" + key.upper().replace(".", "__")
        assert env in env_text, f"{env} missing from .env.example"
