"""Connector plugins: the SDK every connector builds on, and one package per vendor."""
