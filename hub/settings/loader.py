"""Building ``Settings`` from its three layers, and the one-line error when a value is wrong."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    YamlConfigSettingsSource,
)

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
    return layered


def _describe(exc: ValidationError, path: Path | None) -> str:
    lines = []
    for item in exc.errors(include_url=False):
        key = ".".join(str(p) for p in item["loc"])
        env = "SYNCHUB_" + "__".join(str(p).upper() for p in item["loc"])
        value = item.get("input")
        shown = (
            "<hidden>"
            if any(w in key.lower() for w in ("secret", "password", "token", "key"))
            else repr(value)
        )
        origin = f"{path} or ${env}" if path else f"${env}"
        if item["type"] == "extra_forbidden":
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
