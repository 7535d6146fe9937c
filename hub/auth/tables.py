"""Tables of the auth area: users, server-side sessions, API tokens, login failures.

Session ids and API tokens are stored only as SHA-256 digests: they are long
random values, so a plain digest cannot be reversed, and a copy of the database
does not hand out live sessions or tokens.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from hub.model.types import UtcDateTime
from hub.store.tables import AutoId


class WebUser(SQLModel, table=True):
    """A local user of the web app and API."""

    __tablename__ = "web_user"
    __table_args__ = (UniqueConstraint("name", name="uq_web_user_name"),)

    id: int | None = Field(
        default=None, sa_column=Column(AutoId, primary_key=True, autoincrement=True)
    )
    name: str = Field(max_length=60)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=12)
    disabled: bool = False
    created_at: datetime = Field(sa_type=UtcDateTime)
    password_changed_at: datetime = Field(sa_type=UtcDateTime)


class WebSession(SQLModel, table=True):
    """A signed-in browser; the cookie carries the token, the row its digest."""

    __tablename__ = "web_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(index=True)
    csrf: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UtcDateTime)
    last_seen_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API, acting as its user with the user's role."""

    __tablename__ = "api_token"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_api_token_hash"),)

    id: int | None = Field(
        default=None, sa_column=Column(AutoId, primary_key=True, autoincrement=True)
    )
    user_id: int = Field(index=True)
    name: str = Field(max_length=60)
    prefix: str = Field(max_length=16)
    """The token's first characters, shown in lists so a person can tell tokens apart."""
    token_hash: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UtcDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class LoginFailure(SQLModel, table=True):
    """Recent failed logins per user name and per client address, for throttling."""

    __tablename__ = "login_failure"

    key: str = Field(primary_key=True, max_length=200)
    failures: int = 0
    first_at: datetime = Field(sa_type=UtcDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)


AUTH_TABLES = (WebUser, WebSession, ApiToken, LoginFailure)
