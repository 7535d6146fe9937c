"""Typed, layered settings: defaults < config/hub.yaml (or $SYNCHUB_CONFIG) < SYNCHUB_* env."""

from hub.settings.loader import SettingsError, load_settings
from hub.settings.model import ConnectorInstance, Settings, WebSettings
from hub.settings.pipelines import (
    ConflictPolicy,
    DeletePolicy,
    PipelineSettings,
    Schedule,
    StreamBinding,
)

__all__ = [
    "ConflictPolicy",
    "ConnectorInstance",
    "DeletePolicy",
    "PipelineSettings",
    "Schedule",
    "Settings",
    "SettingsError",
    "StreamBinding",
    "WebSettings",
    "load_settings",
]
