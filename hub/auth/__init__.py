"""Local users, roles, sessions, API tokens and login throttling for the web app and the CLI."""

from hub.auth.passwords import PasswordPolicyError, hash_password, verify_password
from hub.auth.roles import ADMIN_ROLES, ALL_ROLES, Role
from hub.auth.tables import AUTH_TABLES, ApiToken, LoginFailure, WebSession, WebUser
from hub.auth.tokens import create_token, list_tokens, revoke_token, user_for_token
from hub.auth.users import (
    AuthError,
    User,
    UserError,
    authenticate,
    create_user,
    get_user,
    list_users,
    set_password,
    set_role,
)

__all__ = [
    "ADMIN_ROLES",
    "ALL_ROLES",
    "AUTH_TABLES",
    "ApiToken",
    "AuthError",
    "LoginFailure",
    "PasswordPolicyError",
    "Role",
    "User",
    "UserError",
    "WebSession",
    "WebUser",
    "authenticate",
    "create_token",
    "create_user",
    "get_user",
    "hash_password",
    "list_tokens",
    "list_users",
    "revoke_token",
    "set_password",
    "set_role",
    "user_for_token",
    "verify_password",
]
