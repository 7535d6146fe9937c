"""The connector acceptance suite against the YonBIP sandbox, over real sockets."""

from __future__ import annotations

from typing import Any, ClassVar

from connectors.sdk.sandbox import Sandbox, SandboxServer
from connectors.testkit import ConnectorAcceptance


class TestYonyouBipAcceptance(ConnectorAcceptance):
    connector = "yonyou-bip"
    read_stream = "customers"
    write_stream = "customers"
    page_size = 5
    config_overrides: ClassVar[dict[str, Any]] = {"page_size": 5}

    def test_deep_paging_limit(self, sandbox: Sandbox, acceptance_server: SandboxServer) -> None:
        """YonBIP documents no deep-paging limit: none is reported and page numbers reach the end.

        Replaces the suite's check (which skips for such vendors) with a read of
        many pages, so the property is still tested rather than skipped.
        """
        assert sandbox.deep_paging_limit(self.read_stream) is None
        self._assert_reads_exactly(sandbox, acceptance_server, 6 * self.effective_page_size() + 1)


class TestYonyouBipDocumentsAcceptance(ConnectorAcceptance):
    connector = "yonyou-bip"
    read_stream = "sales_orders"
    write_stream = "receipts"
    page_size = 5
    config_overrides: ClassVar[dict[str, Any]] = {"page_size": 5}

    def test_deep_paging_limit(self, sandbox: Sandbox, acceptance_server: SandboxServer) -> None:
        """No deep-paging limit on document lists either; see the customers class."""
        assert sandbox.deep_paging_limit(self.read_stream) is None
        self._assert_reads_exactly(sandbox, acceptance_server, 6 * self.effective_page_size() + 1)
