"""The settings and engine of this process, for targets that ``jobs`` runs by reference.

A target runs in a scheduler thread or a Celery worker and receives only JSON
arguments, so it finds the process's settings here: installed by
``synchub serve``/``scheduler``/``worker`` at start-up, or, in a process started
some other way (``celery -A ...``), loaded from the environment on first use.
Each run reads the *effective* settings (pipelines and connectors stored from the
web UI laid over hub.yaml), so edits apply to the next run without a restart.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass

from sqlalchemy import Engine

from hub.config_store import effective_settings
from hub.settings import Settings, SettingsError, load_settings
from hub.store import make_engine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HubRuntime:
    """Settings, engine and the role (``serve``, ``scheduler``, ``worker``) of this process."""

    settings: Settings
    engine: Engine
    role: str
    pid: int

    def effective(self) -> Settings:
        """The settings a run uses now; hub.yaml's alone if the stored ones do not fit."""
        try:
            return effective_settings(self.settings, self.engine)
        except SettingsError as exc:
            log.error("stored configuration ignored: %s", exc)
            return self.settings


_lock = threading.Lock()
_current: list[HubRuntime] = []


def install(settings: Settings, engine: Engine, role: str) -> HubRuntime:
    """Make these the process's settings and engine."""
    runtime = HubRuntime(settings, engine, role, os.getpid())
    with _lock:
        _current[:] = [runtime]
    return runtime


def current() -> HubRuntime:
    """The installed runtime, or one built from the environment (after a fork, afresh)."""
    with _lock:
        if _current and _current[0].pid == os.getpid():
            return _current[0]
        if _current:
            # a forked worker child must not share its parent's connections
            previous = _current[0]
            runtime = HubRuntime(
                previous.settings,
                make_engine(previous.settings.database_url),
                previous.role,
                os.getpid(),
            )
        else:
            settings = load_settings()
            runtime = HubRuntime(
                settings, make_engine(settings.database_url), "worker", os.getpid()
            )
        _current[:] = [runtime]
        return runtime
