"""A minimal SMTP server on 127.0.0.1 that records what it receives (no TLS, AUTH PLAIN)."""

from __future__ import annotations

import base64
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Received:
    """What the sink was told."""

    mail_from: list[str] = field(default_factory=list)
    rcpt_to: list[str] = field(default_factory=list)
    data: list[bytes] = field(default_factory=list)
    auth: list[tuple[str, str]] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    def _say(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        got: Received = self.server.received  # type: ignore[attr-defined]
        self._say("220 sink ESMTP")
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250-sink")
                self._say("250-AUTH PLAIN")
                self._say("250 8BITMIME")
            elif verb == "AUTH":
                _null, user, password = base64.b64decode(command.split()[2]).decode().split("\0")
                got.auth.append((user, password))
                self._say("235 ok")
            elif verb == "MAIL":
                got.mail_from.append(command)
                self._say("250 ok")
            elif verb == "RCPT":
                got.rcpt_to.append(command)
                self._say("250 ok")
            elif verb == "DATA":
                self._say("354 go on")
                chunks = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    chunks.append(chunk)
                got.data.append(b"".join(chunks))
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("502 no")


@contextmanager
def smtp_sink() -> Iterator[tuple[int, Received]]:
    """Serve on a free port; yield (port, what was received)."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.received = Received()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
