"""Process-wide logging: one format, secrets masked at record creation."""

from __future__ import annotations

import logging
import sys

from connectors.sdk import MaskingFormatter, install_log_masking


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now, not the stream it was created with.

    Test runners and CLI runners swap ``sys.stderr`` and close their stand-in afterwards;
    a handler holding the old object would then fail on every record.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure_logging(level: str = "INFO") -> None:
    """Send logs to stderr through the masking formatter; safe to call twice."""
    install_log_masking()
    root = logging.getLogger()
    root.setLevel(level)
    if not any(getattr(h, "_synchub", False) for h in root.handlers):
        handler = _CurrentStderr()
        handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._synchub = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    for noisy in ("httpx", "httpcore", "uvicorn.access", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
