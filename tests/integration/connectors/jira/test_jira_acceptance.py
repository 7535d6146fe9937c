"""The shared connector acceptance suite, against both Jira sandbox flavours over real sockets."""

from __future__ import annotations

from connectors.testkit import ConnectorAcceptance


class TestJiraCloudAcceptance(ConnectorAcceptance):
    connector = "jira"
    read_stream = "milestones"
    write_stream = "milestones"
    sandbox_options = {"flavour": "cloud"}  # noqa: RUF012
    deep_paging = False  # search/jql pages by opaque tokens: no page-number depth limit


class TestJiraDataCenterAcceptance(ConnectorAcceptance):
    connector = "jira"
    read_stream = "milestones"
    write_stream = "milestones"
    sandbox_options = {"flavour": "dc"}  # noqa: RUF012
    deep_paging = False  # startAt has no depth limit on DC; maxResults is capped instead
