"""The connector acceptance suite: one pytest class every connector adopts in three lines.

::

    from connectors.testkit import ConnectorAcceptance

    class TestZohoAcceptance(ConnectorAcceptance):
        connector = "zoho-crm"
        read_stream = "accounts"
        write_stream = "accounts"

See ``docs/connectors.md`` for the knobs and for running it against a
third-party connector.
"""

from connectors.testkit.acceptance import ConnectorAcceptance, SleepRecorder

__all__ = ["ConnectorAcceptance", "SleepRecorder"]
