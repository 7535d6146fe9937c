"""Typed, layered settings: defaults < config/hub.yaml (or $SYNCHUB_CONFIG) < SYNCHUB_* env."""

from hub.settings.loader import SettingsError, load_settings
from hub.settings.model import ConnectorInstance, Settings, WebSettings

__all__ = ["ConnectorInstance", "Settings", "SettingsError", "WebSettings", "load_settings"]
