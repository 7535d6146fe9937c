"""The connector acceptance suite against the U8 OpenAPI sandbox, over real sockets."""

from __future__ import annotations

from typing import Any, ClassVar

from connectors.sdk import Page
from connectors.sdk.sandbox import Sandbox, SandboxServer
from connectors.testkit import ConnectorAcceptance


class TestYonyouU8Acceptance(ConnectorAcceptance):
    connector = "yonyou-u8"
    read_stream = "customers"
    write_stream = "customers"
    page_size = 5
    config_overrides: ClassVar[dict[str, Any]] = {"page_size": 5}

    def test_deep_paging_limit(self, sandbox: Sandbox, acceptance_server: SandboxServer) -> None:
        """U8 OpenAPI documents no deep-paging limit: none is reported and page numbers reach the end.

        Replaces the suite's check (which skips for such vendors) with a read of
        many pages, so the property is still tested rather than skipped.
        """
        assert sandbox.deep_paging_limit(self.read_stream) is None
        reads_many_pages(self, sandbox, acceptance_server)


class TestYonyouU8DocumentsAcceptance(ConnectorAcceptance):
    connector = "yonyou-u8"
    read_stream = "sales_orders"
    write_stream = (
        "customers"  # U8 OpenAPI cannot edit a saved voucher; the suite's write test updates
    )
    page_size = 5
    config_overrides: ClassVar[dict[str, Any]] = {"page_size": 5}

    def test_deep_paging_limit(self, sandbox: Sandbox, acceptance_server: SandboxServer) -> None:
        """No deep-paging limit on document lists either; see the customers class."""
        assert sandbox.deep_paging_limit(self.read_stream) is None
        reads_many_pages(self, sandbox, acceptance_server)


def reads_many_pages(
    suite: ConnectorAcceptance, sandbox: Sandbox, server: SandboxServer, pages: int = 6
) -> None:
    """Seed ``pages`` full pages and one record more; a read returns each exactly once."""
    seeded = sandbox.reset(suite.read_stream, pages * suite.effective_page_size() + 1)
    connector = suite.make(server)

    async def go() -> list[Page]:
        async with connector:
            return await suite.read_all(connector, suite.read_stream)

    read = suite.run(go)
    ids = suite.ids(read, suite.read_stream)
    assert sorted(ids) == sorted(seeded)
    assert len(read) > pages
    assert read[-1].complete
