"""What the figures were measured on: machine, Python and package versions, load."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "synchub", "dlt", "httpx", "sqlalchemy", "sqlmodel", "pydantic", "pydantic-core",
    "starlette", "uvicorn", "tenacity", "jinja2", "psycopg",
)  # fmt: skip


def describe(root: Path) -> dict[str, Any]:
    """A JSON-ready description of this machine and software."""
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu": _cpu_model(),
            "cores": os.cpu_count(),
            "memory_gb": round(_memory_kb() / 1024 / 1024, 1),
            "system": f"{platform.system()} {platform.release()}",
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "sqlite": _sqlite_version(),
        "packages": {name: _version(name) for name in PACKAGES},
        "commit": _commit(root),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_kb() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _commit(root: Path) -> str | None:
    if os.environ.get("BENCH_COMMIT"):  # a snapshot without .git says what it was taken from
        return os.environ["BENCH_COMMIT"]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root, capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
    except OSError:
        return None
    return f"{head}{' (with uncommitted changes)' if dirty else ''}" if head else None
