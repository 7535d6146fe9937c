"""The connector acceptance suite against the Zoho CRM sandbox, over real sockets."""

from __future__ import annotations

from connectors.testkit import ConnectorAcceptance


class TestZohoAcceptance(ConnectorAcceptance):
    connector = "zoho-crm"
    read_stream = "accounts"
    write_stream = "accounts"


class TestZohoPaymentsAcceptance(ConnectorAcceptance):
    """The second custom module, written by finance's receipts."""

    connector = "zoho-crm"
    read_stream = "payments"
    write_stream = "payments"
