"""SyncHub: the canonical store, mappings, sync engine, finance views, web app and CLI."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("synchub")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
