"""A faithful Jira Cloud / Data Center simulator (see ``core.JiraSandbox``)."""

from connectors.jira.sandbox.core import JiraSandbox

__all__ = ["JiraSandbox"]
