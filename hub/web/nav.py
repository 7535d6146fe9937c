"""The navigation: sections of links, each shown only to the roles that may open it.

An area adds its own section at import time with ``add_section`` (the finance
workspace does), so this module never needs editing for a new area.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.auth import Role, User
from hub.auth.roles import ALL_ROLES, READ_CONNECTORS


@dataclass(frozen=True, slots=True)
class NavItem:
    """One link: its label key, path and the roles that see it (admin always does)."""

    label: str
    href: str
    roles: tuple[Role, ...] = ALL_ROLES


@dataclass(frozen=True, slots=True)
class NavSection:
    """A titled group of links."""

    key: str
    label: str
    items: tuple[NavItem, ...]
    order: int = 50


_SECTIONS: dict[str, NavSection] = {}


def add_section(section: NavSection) -> None:
    """Register (or replace) a navigation section."""
    _SECTIONS[section.key] = section


def sections_for(user: User | None) -> list[tuple[NavSection, list[NavItem]]]:
    """The sections and items ``user`` may see, in order; nothing for anonymous callers."""
    if user is None:
        return []
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        items = [item for item in section.items if user.has(*item.roles)]
        if items:
            shown.append((section, items))
    return shown


add_section(
    NavSection(
        "sync",
        "nav.section.sync",
        (
            NavItem("nav.home", "/"),
            NavItem("nav.pipelines", "/pipelines"),
            NavItem("nav.runs", "/runs"),
            NavItem("nav.dlq", "/dlq"),
            NavItem("nav.conflicts", "/conflicts"),
        ),
        order=10,
    )
)
add_section(
    NavSection(
        "config",
        "nav.section.config",
        (
            NavItem("nav.connectors", "/connectors", READ_CONNECTORS),
            NavItem("nav.mappings", "/mappings"),
        ),
        order=20,
    )
)
add_section(
    NavSection(
        "admin",
        "nav.section.admin",
        (
            NavItem("nav.users", "/users", (Role.ADMIN,)),
            NavItem("nav.audit", "/audit", (Role.ADMIN,)),
            NavItem("nav.account", "/account"),
            NavItem("nav.api_docs", "/docs", ALL_ROLES),
        ),
        order=90,
    )
)
