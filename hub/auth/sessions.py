"""Server-side sessions: a random token in the cookie, its digest and CSRF token in the store.

Server-side rows (rather than a self-contained signed cookie) make logout, a
password change and a role change take effect at once, everywhere. A session
ends after ``IDLE`` without requests or ``ABSOLUTE`` after sign-in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update

from hub.auth.tables import WebSession
from hub.auth.tokens import digest
from hub.auth.users import USER, User, _user

SESSION = WebSession.__table__  # type: ignore[attr-defined]
IDLE = timedelta(hours=8)
ABSOLUTE = timedelta(hours=24)
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Session:
    """A live session: who, and the CSRF token its forms must carry."""

    user: User
    csrf: str


def create_session(engine: Engine, user: User) -> tuple[str, Session]:
    """A new session for ``user``; returns the cookie token (never stored) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(delete(SESSION).where(SESSION.c.expires_at < now))
        conn.execute(
            insert(SESSION).values(
                id=digest(token),
                user_id=user.id,
                csrf=csrf,
                created_at=now,
                last_seen_at=now,
                expires_at=now + ABSOLUTE,
            )
        )
    return token, Session(user, csrf)


def load_session(engine: Engine, token: str) -> Session | None:
    """The live session of a cookie token, or ``None`` (expired, idle, signed out, user disabled)."""
    now = datetime.now(UTC)
    key = digest(token)
    with engine.connect() as conn:
        row = conn.execute(
            select(USER, SESSION.c.csrf, SESSION.c.last_seen_at, SESSION.c.expires_at)
            .join(SESSION, SESSION.c.user_id == USER.c.id)
            .where(SESSION.c.id == key)
        ).first()
    if row is None or row.disabled or row.expires_at <= now or now - row.last_seen_at > IDLE:
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        with engine.begin() as conn:
            conn.execute(update(SESSION).where(SESSION.c.id == key).values(last_seen_at=now))
    return Session(_user(row), row.csrf)


def end_session(engine: Engine, token: str) -> None:
    """Sign out: the session row is deleted, so the cookie is worthless even if kept."""
    with engine.begin() as conn:
        conn.execute(delete(SESSION).where(SESSION.c.id == digest(token)))
