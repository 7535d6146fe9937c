"""Jira Cloud (REST v3) and Data Center (REST v2): contracts as epics, milestones as issues."""

from connectors.jira.config import JiraConfig
from connectors.jira.connector import JiraConnector
from connectors.jira.webhooks import parse_event, verify_signature

__all__ = ["JiraConfig", "JiraConnector", "parse_event", "verify_signature"]
