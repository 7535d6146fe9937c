"""What every request handler reaches through ``request.app.state.hub``: built once in create_app."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, Signer
from sqlalchemy import Engine

from hub.auth.throttle import LoginThrottle
from hub.config_store import SecretBox, effective_settings
from hub.settings import Settings
from hub.web.services.runs import RunLauncher


@dataclass
class HubState:
    """Settings, engine and the per-process helpers of one web app."""

    settings: Settings
    """hub.yaml and environment; ``effective()`` adds what admins stored from the UI."""
    engine: Engine
    signer: Signer
    throttle: LoginThrottle
    extras: dict[str, Any] = field(default_factory=dict)
    """Per-area singletons (the run launcher, the scheduler control...)."""

    @classmethod
    def build(cls, settings: Settings, engine: Engine) -> HubState:
        """Derive the cookie-signing key from ``SYNCHUB_SECRET_KEY`` (random per process without)."""
        key = settings.secret_key.get_secret_value() if settings.secret_key else ""
        material = (
            hashlib.sha256(b"synchub-session-cookie\0" + key.split(",")[0].encode()).digest()
            if key
            else secrets.token_bytes(32)
        )
        signer = Signer(material, salt="synchub.session")
        return cls(settings, engine, signer, LoginThrottle(engine))

    @property
    def box(self) -> SecretBox | None:
        """The secret box of the configured key, or ``None`` without a key."""
        return SecretBox.from_secret(self.settings.secret_key)

    def effective(self) -> Settings:
        """The settings runs use now (stored connectors and pipelines included)."""
        return effective_settings(self.settings, self.engine)

    def sign(self, value: str) -> str:
        """A cookie value that cannot be forged without the key."""
        return self.signer.sign(value).decode()

    def unsign(self, value: str | None) -> str | None:
        """The original value of a signed cookie, or ``None`` if absent or tampered with."""
        if not value:
            return None
        try:
            return self.signer.unsign(value).decode()
        except BadSignature:
            return None


def launcher(state: HubState) -> RunLauncher:
    """The app's run launcher (one per app)."""
    found = state.extras.get("runs")
    if not isinstance(found, RunLauncher):
        found = state.extras["runs"] = RunLauncher()
    return found


def hub_state(request: Request) -> HubState:
    """The app's state (a FastAPI dependency)."""
    state: HubState = request.app.state.hub
    return state
