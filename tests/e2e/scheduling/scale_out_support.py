"""A scale-out deployment for one test: processes, their logs, and what the store says."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polling
from sqlalchemy import Engine, select

from hub.store import Run

SYNCHUB = str(Path(sys.executable).with_name("synchub"))
RUN = Run.__table__  # type: ignore[attr-defined]


@dataclass
class Process:
    """One ``synchub scheduler`` or ``synchub worker`` with its log file."""

    role: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None


@dataclass
class Deployment:
    """Schedulers and workers sharing one configuration file."""

    env: dict[str, str]
    logs: Path
    processes: list[Process] = field(default_factory=list)

    def start(self, role: str) -> Process:
        n = sum(1 for p in self.processes if p.role == role)
        log = self.logs / f"{role}-{n}.log"
        handle = log.open("wb")
        popen = subprocess.Popen(  # the scale-out commands as an operator types them
            [SYNCHUB, role], env=self.env, stdout=handle, stderr=subprocess.STDOUT
        )
        handle.close()
        process = Process(role, popen, log)
        self.processes.append(process)
        return process

    def by_pid(self, pid: int) -> Process:
        return next(p for p in self.processes if p.pid == pid)

    def stop(self) -> None:
        """SIGTERM everything still alive (workers finish their runs), then wait."""
        for process in self.processes:
            if process.alive():
                process.popen.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait()

    def tails(self, lines: int = 30) -> str:
        """The end of every log, for a failure message."""
        parts = []
        for process in self.processes:
            text = process.log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {process.log.name} (pid {process.pid}) ---\n" + "\n".join(text))
        return "\n".join(parts)


def wait_for(
    condition: Callable[[], Any], timeout: float, what: str, deployment: Deployment
) -> Any:
    """``polling.wait_for`` that fails with the tails of every process's log."""
    return polling.wait_for(condition, timeout, what, deployment.tails)


def pid_of(owner: str) -> int:
    """The process id in a lease owner ``role@host:pid/attempt``."""
    return int(owner.rsplit(":", maxsplit=1)[-1].split("/", maxsplit=1)[0])


def all_runs(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(RUN).order_by(RUN.c.started_at)).mappings()]


def running_runs(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(RUN).where(RUN.c.status == "running")).mappings()
        return [dict(r) for r in rows]


def redis_cleanup(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    with contextlib.closing(client):
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)


def clean_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCHUB_")}
    env.update(overrides)
    return env
