"""Connector instances and pipelines edited from the UI, stored in the database.

Secrets are encrypted with ``SYNCHUB_SECRET_KEY`` (Fernet); ``effective_settings``
merges what is stored over hub.yaml and the environment.
"""

from hub.config_store.crypto import SecretBox, SecretKeyError, generate_key
from hub.config_store.effective import effective_settings
from hub.config_store.store import (
    ConfigStoreError,
    StoredConnector,
    StoredPipeline,
    delete_connector,
    delete_pipeline,
    get_connector,
    get_pipeline,
    list_connectors,
    list_pipelines,
    rotate_secrets,
    save_connector,
    save_pipeline,
    secret_fields,
)
from hub.config_store.tables import CONFIG_TABLES, ConnectorConfig, PipelineConfig

__all__ = [
    "CONFIG_TABLES",
    "ConfigStoreError",
    "ConnectorConfig",
    "PipelineConfig",
    "SecretBox",
    "SecretKeyError",
    "StoredConnector",
    "StoredPipeline",
    "delete_connector",
    "delete_pipeline",
    "effective_settings",
    "generate_key",
    "get_connector",
    "get_pipeline",
    "list_connectors",
    "list_pipelines",
    "rotate_secrets",
    "save_connector",
    "save_pipeline",
    "secret_fields",
]
