"""Requests refused before routing: a NUL character in the path or the query string.

No route takes one, and PostgreSQL refuses NUL in any text it is asked to store
or compare, so a ``/runs/x%00`` passed on would end as a server error (500) on
that store while SQLite answered 404. Refusing it here answers 400 on both.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class RefuseNul:
    """Pure ASGI middleware answering 400 to a path or query string holding NUL."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse, or pass the request on untouched."""
        if scope["type"] == "http" and (
            "\x00" in scope.get("path", "")
            or b"%00" in scope.get("query_string", b"")
            or b"\x00" in scope.get("query_string", b"")
        ):
            body = b"a NUL character (%00) in the URL is not accepted"
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
