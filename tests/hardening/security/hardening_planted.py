"""Six vendor sandboxes whose credentials are secrets made up for one test, and where they go.

Every connector type gets a unique secret planted in its sandbox (the vendor
will accept nothing else) and in the hub's config, plus a unique webhook
secret, so a sync that works proves the secret was used, and finding one in a
log, page, response or database dump proves it leaked. Instances reach the hub
three ways, as admins configure them: the web form, the JSON API, and hub.yaml
with the secrets in ``SYNCHUB_CONNECTORS__<NAME>__CONFIG__<KEY>`` variables.
"""

from __future__ import annotations

import dataclasses
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from connectors.jira.sandbox import JiraSandbox
from connectors.kingdee.sandbox import KingdeeSandbox
from connectors.sdk.sandbox import SandboxServer
from connectors.yonyou_bip.sandbox import YonyouBipSandbox
from connectors.yonyou_u8.sandbox import YonyouU8Sandbox
from connectors.zentao.sandbox import ZentaoSandbox
from connectors.zoho_crm.sandbox import ZohoCrmSandbox


def unique(label: str) -> str:
    """A secret nobody else could have written: a label and 20 random hex digits."""
    return f"{label}-{uuid.uuid4().hex[:20]}"


@dataclass
class Planted:
    """One connector instance: its type, how it is configured, its config and its secrets."""

    instance: str
    type: str
    route: str
    """``form`` (admin web form), ``api`` (PUT /api/connectors) or ``env`` (hub.yaml + env)."""
    server: SandboxServer
    config: dict[str, Any]
    secrets: dict[str, str] = field(default_factory=dict)
    """Config key -> planted secret."""


def plant_all(stack: ExitStack) -> list[Planted]:
    """Start the six sandboxes with planted secrets (stopped when ``stack`` closes)."""
    planted = [_zoho(stack), _kingdee(stack), _bip(stack), _u8(stack), _jira(stack), _zentao(stack)]
    for item in planted:
        item.secrets["webhook_secret"] = unique(f"{item.instance}-webhook")
        item.config.update(item.secrets)
    return planted


def _serve(stack: ExitStack, sandbox: Any) -> SandboxServer:
    return stack.enter_context(SandboxServer(sandbox))


def _zoho(stack: ExitStack) -> Planted:
    sandbox = ZohoCrmSandbox(seed=21, companies=3)
    sandbox.client_secret = unique("zoho-client-secret")
    sandbox.refresh_token = "1000." + unique("zoho-refresh")
    server = _serve(stack, sandbox)
    return Planted(
        "crm",
        "zoho-crm",
        "form",
        server,
        server.connector_config(),
        {"client_secret": sandbox.client_secret, "refresh_token": sandbox.refresh_token},
    )


def _kingdee(stack: ExitStack) -> Planted:
    sandbox = KingdeeSandbox(seed=22, companies=3)
    secret = unique("kingdee-app-secret")
    sandbox.sessions.account = dataclasses.replace(sandbox.sessions.account, app_secret=secret)
    server = _serve(stack, sandbox)
    return Planted(
        "erp", "kingdee", "api", server, server.connector_config(), {"app_secret": secret}
    )


def _bip(stack: ExitStack) -> Planted:
    secret = unique("bip-app-secret")
    server = _serve(stack, YonyouBipSandbox(seed=23, companies=3, app_secret=secret))
    return Planted(
        "bip", "yonyou-bip", "env", server, server.connector_config(), {"app_secret": secret}
    )


def _u8(stack: ExitStack) -> Planted:
    secret = unique("u8-app-secret")
    server = _serve(stack, YonyouU8Sandbox(seed=24, companies=3, app_secret=secret))
    return Planted(
        "u8", "yonyou-u8", "env", server, server.connector_config(), {"app_secret": secret}
    )


def _jira(stack: ExitStack) -> Planted:
    sandbox = JiraSandbox(seed=25, companies=3)
    sandbox.default_user.api_token = unique("jira-api-token")
    server = _serve(stack, sandbox)
    return Planted(
        "pm",
        "jira",
        "api",
        server,
        server.connector_config(),
        {"api_token": sandbox.default_user.api_token},
    )


def _zentao(stack: ExitStack) -> Planted:
    password = unique("zentao-password")
    server = _serve(stack, ZentaoSandbox(seed=26, companies=3, password=password))
    return Planted(
        "zt", "zentao", "form", server, server.connector_config(), {"password": password}
    )


STREAMS: dict[str, list[tuple[str, str]]] = {
    "crm": [("accounts", "in"), ("contracts", "in")],
    "erp": [("customers", "both")],
    "bip": [("customers", "both")],
    "u8": [("customers", "both")],
    "pm": [("epics", "in")],
    "zt": [("projects", "in")],
}
"""What each instance syncs: reads everywhere, and the CRM's customers written to each ERP."""
