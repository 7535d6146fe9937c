"""Building ``Settings`` from its three layers, and the one-line error when a value is wrong.

Errors never echo a secret: inputs under a secret-looking key are hidden, and a
whole section (a dict or list, which may hold connector credentials) is shown by
its size, never its content. A config file that is not UTF-8 YAML holding keys
and values is refused with its name and line before pydantic sees it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    YamlConfigSettingsSource,
)
from pydantic_settings import SettingsError as SourceError

from hub.settings.model import Settings

DEFAULT_CONFIG = Path("config/hub.yaml")


class SettingsError(Exception):
    """A setting is wrong; the message names the key, the value given and what is expected."""


def config_path(explicit: Path | None = None) -> Path | None:
    """The YAML file to read: explicit, else $SYNCHUB_CONFIG, else config/hub.yaml if present."""
    if explicit is not None:
        return explicit
    env = os.environ.get("SYNCHUB_CONFIG")
    if env:
        return Path(env)
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from defaults < YAML file < environment < ``overrides``.

    Raises ``SettingsError`` with one line per bad key.
    """
    path = config_path(config_file)
    if path is not None and not path.exists():
        raise SettingsError(f"config file {path} does not exist (set SYNCHUB_CONFIG or create it)")
    if path is not None:
        _check_file(path)

    class _Layered(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
            if path is not None:
                sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
            return tuple(sources)

    try:
        layered = _Layered(**overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, path)) from None
    except SourceError as exc:  # a nested setting given as one SYNCHUB_ variable, not JSON
        raise SettingsError(
            f"{exc}: a section set through one SYNCHUB_ variable must be JSON; "
            "or set its keys one by one (SYNCHUB_WEB__PORT=8080)"
        ) from None
    return layered


def _check_file(path: Path) -> None:
    """Refuse a config file that is not UTF-8 YAML holding keys and values, naming file and line."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SettingsError(
            f"config file {path}:{line} is not UTF-8 text; save it as UTF-8"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SettingsError(f"config file {where} is not valid YAML: {problem}") from None
    if data is not None and not isinstance(data, dict):
        raise SettingsError(
            f"config file {path} must hold keys and values (database_url: ..., connectors: ...), "
            f"not a {type(data).__name__}"
        )


def _describe(exc: ValidationError, path: Path | None) -> str:
    lines = []
    for item in exc.errors(include_url=False):
        key = ".".join(str(p) for p in item["loc"])
        env = "SYNCHUB_" + "__".join(str(p).upper() for p in item["loc"])
        shown = _shown(key, item.get("input"))
        origin = f"{path} or ${env}" if path else f"${env}"
        if not key:  # a rule across sections; its message names the keys
            where = path or "the environment"
            lines.append(
                f"invalid settings (in {where}): {item['msg'].removeprefix('Value error, ')}"
            )
        elif item["type"] == "extra_forbidden":
            lines.append(
                f"unknown setting {key!r} (in {origin}); check the spelling against config/hub.example.yaml"
            )
        elif item["type"] == "missing":
            lines.append(f"setting {key!r} is required (set it in {origin})")
        else:
            lines.append(
                f"invalid setting {key}={shown} (from {origin}): {item['msg'].removeprefix('Value error, ')}"
            )
    return "\n".join(lines)


def _shown(key: str, value: object) -> str:
    """How an invalid input is shown: never a secret, never a whole section."""
    if any(w in key.lower() for w in ("secret", "password", "token", "key")):
        return "<hidden>"
    if isinstance(value, dict | list):
        return f"<{type(value).__name__} of {len(value)} items>"
    shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."
