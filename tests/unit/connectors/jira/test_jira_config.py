"""The config model: flavour-specific credentials, safe URLs, labels without spaces."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.jira import JiraConnector
from connectors.sdk import ConfigError

CLOUD = {
    "flavour": "cloud",
    "base_url": "https://acme.atlassian.net/",
    "email": "ada@example.com",
    "api_token": "tok-123456",
    "project_key": "dlv",
}


def test_cloud_config_is_normalised() -> None:
    config = JiraConnector.parse_config(CLOUD)
    assert config.base_url == "https://acme.atlassian.net"
    assert config.project_key == "DLV"
    assert config.api_version == "3"
    assert not config.uses_epic_link_field


def test_dc_needs_a_pat_and_links_epics_by_field() -> None:
    config = JiraConnector.parse_config(
        {
            "flavour": "dc",
            "base_url": "https://jira.example.com/jira",
            "pat": "p" * 20,
            "project_key": "DLV",
        }
    )
    assert config.api_version == "2"
    assert config.uses_epic_link_field
    with pytest.raises(ConfigError, match="pat"):
        JiraConnector.parse_config({**CLOUD, "flavour": "dc"})


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"api_token": None}, "api_token"),
        ({"base_url": "ftp://acme.atlassian.net"}, "http"),
        ({"base_url": "https://ada:pw@acme.atlassian.net"}, "credentials"),
        ({"base_url": "https://acme.atlassian.net/?token=x"}, "query"),
        ({"project_key": "DL V"}, "project key"),
        ({"milestone_label": "two words"}, "spaces"),
        ({"page_size": 0}, "page_size"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_settings_name_the_key(change: dict[str, Any], word: str) -> None:
    with pytest.raises(ConfigError) as caught:
        JiraConnector.parse_config({**CLOUD, **change})
    assert word in str(caught.value)
    assert "tok-123456" not in str(caught.value)
