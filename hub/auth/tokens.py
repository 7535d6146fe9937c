"""API tokens: random, shown once, stored as a SHA-256 digest, revocable.

A token is ``shub_`` + 40 URL-safe random characters (240 bits). It is high
entropy, so a fast digest is as safe as a slow password hash here and keeps
every API request cheap.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from hub.auth.tables import ApiToken
from hub.auth.users import USER, User, _user, audit

TOKEN = ApiToken.__table__  # type: ignore[attr-defined]
PREFIX = "shub_"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as lists show it: never the token itself."""

    id: int
    user: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def digest(token: str) -> str:
    """The stored form of a token or session id."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(engine: Engine, user: User, name: str, *, actor: str) -> tuple[TokenInfo, str]:
    """A new token for ``user``; the plain token is returned here and never again."""
    token = PREFIX + secrets.token_urlsafe(30)
    now = datetime.now(UTC)
    label = name.strip()[:60] or "token"
    with engine.begin() as conn:
        token_id = conn.execute(
            insert(TOKEN).values(
                user_id=user.id,
                name=label,
                prefix=token[:12],
                token_hash=digest(token),
                created_at=now,
            )
        ).inserted_primary_key
        assert token_id is not None
        audit(conn, actor, "token.create", user.name, name=label, token_id=int(token_id[0]))
    return TokenInfo(int(token_id[0]), user.name, label, token[:12], now, None, None), token


def list_tokens(engine: Engine, user: User | None = None) -> list[TokenInfo]:
    """Tokens of ``user`` (or of everyone), newest first."""
    query = (
        select(TOKEN, USER.c.name.label("user_name"))
        .join(USER, USER.c.id == TOKEN.c.user_id)
        .order_by(TOKEN.c.id.desc())
    )
    if user is not None:
        query = query.where(TOKEN.c.user_id == user.id)
    with engine.connect() as conn:
        return [
            TokenInfo(
                r.id, r.user_name, r.name, r.prefix, r.created_at, r.last_used_at, r.revoked_at
            )
            for r in conn.execute(query)
        ]


def revoke_token(engine: Engine, token_id: int, *, actor: User) -> bool:
    """Revoke a token: its owner or an admin may; returns whether a live token was revoked."""
    with engine.begin() as conn:
        query = update(TOKEN).where(TOKEN.c.id == token_id, TOKEN.c.revoked_at.is_(None))
        if actor.role.value != "admin":
            query = query.where(TOKEN.c.user_id == actor.id)
        done = conn.execute(query.values(revoked_at=datetime.now(UTC))).rowcount
        if done:
            audit(conn, actor.name, "token.revoke", str(token_id))
    return bool(done)


def user_for_token(engine: Engine, token: str) -> User | None:
    """The active user a presented token acts as, or ``None``; records its last use."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    hashed = digest(token)
    with engine.begin() as conn:
        row = conn.execute(
            select(USER, TOKEN.c.id.label("token_id"), TOKEN.c.last_used_at)
            .join(TOKEN, TOKEN.c.user_id == USER.c.id)
            .where(TOKEN.c.token_hash == hashed, TOKEN.c.revoked_at.is_(None))
        ).first()
        if row is None or row.disabled:
            return None
        now = datetime.now(UTC)
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            conn.execute(update(TOKEN).where(TOKEN.c.id == row.token_id).values(last_used_at=now))
    return _user(row)
