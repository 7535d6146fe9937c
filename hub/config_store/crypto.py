"""Encryption of stored secrets with Fernet keys from ``SYNCHUB_SECRET_KEY``.

The setting holds one key or several separated by commas: the first encrypts,
all of them decrypt (``MultiFernet``). Rotation is: generate a key
(``synchub secrets keygen``), put it first (``new,old``), run
``synchub secrets rotate`` to re-encrypt every stored secret with it, then drop
the old key.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr

from connectors.sdk import register_secret

ENV = "SYNCHUB_SECRET_KEY"


class SecretKeyError(ValueError):
    """No usable key, a malformed key, or stored secrets no configured key can open."""


def generate_key() -> str:
    """A new random Fernet key (URL-safe base64 of 32 bytes)."""
    return Fernet.generate_key().decode()


class SecretBox:
    """Encrypts and decrypts JSON objects of secrets with the configured keys."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise SecretKeyError(f"{ENV} is empty; generate a key with `synchub secrets keygen`")
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode()))
            except ValueError:
                raise SecretKeyError(
                    f"{ENV}: key number {position} is not a Fernet key "
                    "(32 bytes, URL-safe base64; make one with `synchub secrets keygen`)"
                ) from None
        self._fernet = MultiFernet(fernets)

    @classmethod
    def from_secret(cls, value: SecretStr | None) -> SecretBox | None:
        """A box for the setting's value, or ``None`` when no key is configured."""
        if value is None or not value.get_secret_value().strip():
            return None
        keys = [k.strip() for k in value.get_secret_value().split(",") if k.strip()]
        return cls(keys)

    def encrypt(self, secrets: dict[str, str]) -> str:
        """The token of ``secrets`` under the first key."""
        return self._fernet.encrypt(json.dumps(secrets, sort_keys=True).encode()).decode()

    def decrypt(self, token: str) -> dict[str, str]:
        """The secrets in ``token`` (registered for log masking as they are opened)."""
        try:
            data: Any = json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise SecretKeyError(
                f"stored connector secrets cannot be decrypted with the keys in {ENV}; "
                "add the key they were stored with (comma-separated, after the new one)"
            ) from None
        secrets = {str(k): str(v) for k, v in data.items()}
        for value in secrets.values():
            register_secret(value)
        return secrets

    def rotate(self, token: str) -> str:
        """``token`` re-encrypted under the first key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise SecretKeyError(
                f"a stored secret cannot be decrypted with any key in {ENV}; nothing was rotated"
            ) from None
