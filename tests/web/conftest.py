"""Fixtures of the web tests: a hub on a fresh SQLite store served over a real socket."""

from web_fixtures import hub_engine, hub_settings, live, sign_in

__all__ = ["hub_engine", "hub_settings", "live", "sign_in"]  # fixtures, found by pytest
