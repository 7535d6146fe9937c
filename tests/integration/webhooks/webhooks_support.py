"""Settings for webhook tests: a Zoho instance with a channel token, a Jira one with an HMAC key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connectors.sdk.sandbox import SandboxServer
from hub.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
ZOHO_TOKEN = "zoho-channel-token-7Hq2"
JIRA_SECRET = "jira-hmac-secret-Kp91"


def webhook_settings(sqlite_url: str, zoho: SandboxServer, **extra: Any) -> Settings:
    jira = {
        "flavour": "cloud",
        "base_url": "https://example.atlassian.net",
        "email": "sync@example.cn",
        "api_token": "jira-api-token-not-used",
        "project_key": "DLV",
        "webhook_secret": JIRA_SECRET,
    }
    config: dict[str, Any] = {
        "database_url": sqlite_url,
        "mappings_dir": ROOT / "mappings",
        "connectors": {
            "crm": {
                "type": "zoho-crm",
                "config": {**zoho.connector_config(), "webhook_secret": ZOHO_TOKEN},
            },
            "pm": {"type": "jira", "config": jira},
        },
        "pipelines": {
            "p": {"streams": [{"connector": "crm", "stream": "accounts", "direction": "in"}]},
            "push-only": {
                "streams": [{"connector": "crm", "stream": "contacts", "direction": "out"}]
            },
            "projects": {"streams": [{"connector": "pm", "stream": "epics", "direction": "in"}]},
        },
        "webhooks": {"debounce_seconds": 0.3, "max_age_seconds": 600},
        "scheduling": {"lease_seconds": 1.5, "poll_seconds": 0.1},
    }
    config.update(extra)
    return Settings(**config)
