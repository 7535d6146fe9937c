"""The shared connector acceptance suite, run against the ZenTao sandbox over real sockets."""

from __future__ import annotations

from connectors.testkit import ConnectorAcceptance


class TestZentaoAcceptance(ConnectorAcceptance):
    connector = "zentao"
    read_stream = "projects"
    write_stream = "projects"
    deep_paging = False  # ZenTao pages by number to the end; there is no deep-paging cut-off
