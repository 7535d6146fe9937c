"""``synchub users``: local users of the web app and API."""

from __future__ import annotations

import secrets

import typer
from rich.table import Table

from hub.auth import PasswordPolicyError, UserError, create_user, list_users, set_password
from hub.auth.roles import ALL_ROLES
from hub.cli.context import console, fail, get
from hub.store import upgrade

app = typer.Typer(
    help="Users of the web console and API (argon2id passwords).", no_args_is_help=True
)
ROLES = ", ".join(r.value for r in ALL_ROLES)


def _password(given: bool) -> tuple[str, bool]:
    """A typed password (asked twice), or a generated one to print once."""
    if given:
        return typer.prompt("password", hide_input=True, confirmation_prompt=True), False
    return secrets.token_urlsafe(12), True


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name."),
    role: str = typer.Option("viewer", "--role", "-r", help=f"One of: {ROLES}."),
    prompt: bool = typer.Option(
        False, "--prompt", help="Type the password instead of generating one."
    ),
) -> None:
    """Add a user; without --prompt a random password is generated and printed once."""
    engine = get(ctx).engine
    upgrade(engine)
    password, generated = _password(prompt)
    try:
        create_user(engine, name, password, role, actor="cli")
    except (UserError, PasswordPolicyError) as exc:
        raise fail(str(exc)) from None
    console.print(
        f"user {name} ({role}) added" + (f"; password: {password}" if generated else ""),
        highlight=False,
    )


@app.command("passwd")
def passwd_cmd(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name."),
    prompt: bool = typer.Option(
        False, "--prompt", help="Type the password instead of generating one."
    ),
) -> None:
    """Set a user's password (their sessions end)."""
    engine = get(ctx).engine
    upgrade(engine)
    password, generated = _password(prompt)
    try:
        set_password(engine, name, password, actor="cli")
    except (UserError, PasswordPolicyError) as exc:
        raise fail(str(exc)) from None
    console.print(
        f"password of {name} changed" + (f"; new password: {password}" if generated else ""),
        highlight=False,
    )


@app.command("list")
def list_cmd(ctx: typer.Context) -> None:
    """Every user with role and status."""
    engine = get(ctx).engine
    upgrade(engine)
    users = list_users(engine)
    table = Table("user", "role", "status", title="Users")
    for user in users:
        table.add_row(user.name, user.role.value, "disabled" if user.disabled else "active")
    console.print(table if users else "no users yet: synchub users add NAME --role admin")
