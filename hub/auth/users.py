"""Creating users, changing their passwords and roles, and checking a login.

Every change is audited (actor, action, user name; never a password or hash).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from hub.auth.passwords import dummy_verify, hash_password, needs_rehash, verify_password
from hub.auth.roles import Role, parse_role
from hub.auth.tables import ApiToken, WebSession, WebUser
from hub.store import Audit

USER = WebUser.__table__  # type: ignore[attr-defined]
SESSION = WebSession.__table__  # type: ignore[attr-defined]
TOKEN = ApiToken.__table__  # type: ignore[attr-defined]
AUDIT = Audit.__table__  # type: ignore[attr-defined]
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,59}$")


class UserError(ValueError):
    """A user operation cannot be done (duplicate name, unknown user, bad name or role)."""


class AuthError(Exception):
    """The credentials given do not identify an active user (deliberately vague)."""


@dataclass(frozen=True, slots=True)
class User:
    """A user as the web app sees it: never the hash."""

    id: int
    name: str
    role: Role
    disabled: bool = False

    def has(self, *roles: Role) -> bool:
        """Whether this user may do what ``roles`` may (admin may do everything)."""
        return not self.disabled and (self.role is Role.ADMIN or self.role in roles)


def _user(row: Any) -> User:
    return User(row.id, row.name, Role(row.role), bool(row.disabled))


def audit(conn: Any, actor: str, action: str, target: str, **details: Any) -> None:
    """Append an audit row (``details`` must hold no secret)."""
    conn.execute(
        insert(AUDIT).values(
            at=datetime.now(UTC), actor=actor, action=action, target=target, details=details
        )
    )


def create_user(engine: Engine, name: str, password: str, role: str, *, actor: str) -> User:
    """Add a user; ``UserError`` if the name is taken or malformed."""
    if not NAME_RE.match(name):
        raise UserError(
            "a user name is 2-60 letters, digits or . _ @ -, starting with a letter or digit"
        )
    try:
        parsed = parse_role(role)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    hashed = hash_password(password)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        if conn.execute(select(USER.c.id).where(USER.c.name == name)).first():
            raise UserError(f"a user named {name!r} already exists")
        new_id = conn.execute(
            insert(USER).values(
                name=name,
                password_hash=hashed,
                role=parsed.value,
                disabled=False,
                created_at=now,
                password_changed_at=now,
            )
        ).inserted_primary_key
        assert new_id is not None
        audit(conn, actor, "user.create", name, role=parsed.value)
    return User(int(new_id[0]), name, parsed)


def get_user(engine: Engine, *, name: str | None = None, user_id: int | None = None) -> User | None:
    """A user by name or id."""
    query = select(USER)
    query = (
        query.where(USER.c.name == name) if name is not None else query.where(USER.c.id == user_id)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return _user(row) if row else None


def list_users(engine: Engine) -> list[User]:
    """Every user, by name."""
    with engine.connect() as conn:
        return [_user(r) for r in conn.execute(select(USER).order_by(USER.c.name))]


def _require(conn: Any, name: str) -> Any:
    row = conn.execute(select(USER).where(USER.c.name == name)).first()
    if row is None:
        raise UserError(f"no user named {name!r}")
    return row


def set_password(engine: Engine, name: str, password: str, *, actor: str) -> None:
    """Change a password and sign the user out everywhere (sessions are dropped)."""
    hashed = hash_password(password)
    with engine.begin() as conn:
        row = _require(conn, name)
        conn.execute(
            update(USER)
            .where(USER.c.id == row.id)
            .values(password_hash=hashed, password_changed_at=datetime.now(UTC))
        )
        conn.execute(delete(SESSION).where(SESSION.c.user_id == row.id))
        audit(conn, actor, "user.password", name)


def set_role(
    engine: Engine, name: str, role: str, *, actor: str, disabled: bool | None = None
) -> User:
    """Change a user's role (and optionally disable them); sessions are dropped either way."""
    try:
        parsed = parse_role(role)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    with engine.begin() as conn:
        row = _require(conn, name)
        values: dict[str, Any] = {"role": parsed.value}
        if disabled is not None:
            values["disabled"] = disabled
        conn.execute(update(USER).where(USER.c.id == row.id).values(**values))
        conn.execute(delete(SESSION).where(SESSION.c.user_id == row.id))
        if disabled:
            conn.execute(
                update(TOKEN)
                .where(TOKEN.c.user_id == row.id, TOKEN.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        audit(conn, actor, "user.role", name, role=parsed.value, disabled=disabled)
        return User(row.id, name, parsed, bool(values.get("disabled", row.disabled)))


def authenticate(engine: Engine, name: str, password: str) -> User:
    """The active user with this name and password, or ``AuthError`` (same for every cause)."""
    with engine.connect() as conn:
        row = conn.execute(select(USER).where(USER.c.name == name)).first()
    if row is None:
        dummy_verify(password)
        raise AuthError("unknown user or wrong password")
    if not verify_password(row.password_hash, password) or row.disabled:
        raise AuthError("unknown user or wrong password")
    if needs_rehash(row.password_hash):
        with engine.begin() as conn:
            conn.execute(
                update(USER)
                .where(USER.c.id == row.id)
                .values(password_hash=hash_password(password))
            )
    return _user(row)
