"""``synchub sandbox NAME --json`` run as a script runs it: a subprocess serving real HTTP.

Every connector's CLI test starts its simulator this way; the first line of stdout is
the JSON object of URL and credentials, and the process serves until terminated.
"""

from __future__ import annotations

import json
import selectors
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SYNCHUB = str(Path(sys.executable).with_name("synchub"))


def free_port() -> int:
    """A port nobody listens on now (for tests that check ``--port N`` is honoured)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(
    name: str, *args: str, port: int = 0, timeout: float = 60.0
) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    """The running process and its first line, parsed; terminated on exit."""
    proc = subprocess.Popen(
        [SYNCHUB, "sandbox", name, "--port", str(port), "--json", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout)
        line = proc.stdout.readline() if ready else ""
        if not line:
            proc.kill()
            raise AssertionError(f"`synchub sandbox {name}` printed nothing: {proc.stderr.read()}")
        yield proc, json.loads(line)
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
