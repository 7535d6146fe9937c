"""Process-wide logging: one format, secrets masked at record creation."""

from __future__ import annotations

import logging
import sys

from connectors.sdk import MaskingFormatter, install_log_masking


def configure_logging(level: str = "INFO") -> None:
    """Send logs to stderr through the masking formatter; safe to call twice."""
    install_log_masking()
    root = logging.getLogger()
    root.setLevel(level)
    if not any(getattr(h, "_synchub", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._synchub = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    for noisy in ("httpx", "httpcore", "uvicorn.access", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
