"""The smallest vendor a sandbox test needs, shared by the SDK's sandbox tests."""

from __future__ import annotations

import json
from typing import Any

from connectors.sdk.sandbox import ASGIApp, Receive, Sandbox, Scope, Send


class EchoSandbox(Sandbox):
    """Smallest possible vendor: GET /items answers a JSON list."""

    name = "echo"

    def build_app(self) -> ASGIApp:
        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            body = json.dumps({"items": list(range(50))}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})

        return app

    def credentials(self, base_url: str) -> dict[str, Any]:
        return {"base_url": base_url}

    def connector_config(self, base_url: str) -> dict[str, Any]:
        return {"base_url": base_url}

    def reset(self, stream: str, count: int) -> list[str]:
        return []

    def remote_ids(self, stream: str) -> set[str]:
        return set()

    def get_record(self, stream: str, remote_id: str) -> dict[str, Any] | None:
        return None

    def touch(self, stream: str, remote_ids: list[str]) -> None:
        return None

    def delete(self, stream: str, remote_ids: list[str]) -> None:
        return None

    def expire_credentials(self) -> None:
        return None

    def sample_record(self, stream: str, n: int) -> dict[str, Any]:
        return {}

    def invalid_record(self, stream: str) -> tuple[dict[str, Any], str]:
        return {}, ""
