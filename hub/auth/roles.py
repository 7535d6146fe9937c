"""The four roles and what each may do.

Roles are coarse on purpose: an IT admin does everything; an operator keeps sync
running (run, pause, retry, resolve) but changes no configuration; finance sees
the finance workspace and the admin pages that hold no secrets, never connector
settings; a viewer reads admin pages and changes nothing. Routes name the roles
they accept through ``hub.web.deps.require_role``; admin is always accepted.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's role."""

    ADMIN = "admin"
    OPERATOR = "operator"
    FINANCE = "finance"
    VIEWER = "viewer"


ALL_ROLES: tuple[Role, ...] = (Role.ADMIN, Role.OPERATOR, Role.FINANCE, Role.VIEWER)
ADMIN_ROLES: tuple[Role, ...] = (Role.ADMIN,)

OPERATE: tuple[Role, ...] = (Role.ADMIN, Role.OPERATOR)
"""May run, pause, resume, retry, discard and resolve."""
READ_ADMIN: tuple[Role, ...] = ALL_ROLES
"""May read admin pages without secrets (pipelines, runs, queues, mappings)."""
READ_CONNECTORS: tuple[Role, ...] = (Role.ADMIN, Role.OPERATOR, Role.VIEWER)
"""May see connector instances and their non-secret settings: never finance."""
FINANCE: tuple[Role, ...] = (Role.ADMIN, Role.FINANCE)
"""May see the finance workspace (figures, customer 360, exports)."""


def parse_role(value: str) -> Role:
    """The role called ``value``; ``ValueError`` names the four valid ones."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise ValueError(
            f"unknown role {value!r}; one of: {', '.join(r.value for r in ALL_ROLES)}"
        ) from None
