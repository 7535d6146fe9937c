"""The Accounts fields every client asks for: the ones the hub's connector lists."""

from __future__ import annotations

from connectors.zoho_crm.streams import FIELDS

ACCOUNT_FIELDS: tuple[str, ...] = tuple(FIELDS["accounts"])
