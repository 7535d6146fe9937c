"""``synchub sandbox NAME``: run a vendor simulator on 127.0.0.1 for demos, scripts and clients."""

from __future__ import annotations

import contextlib
import json
import sys

import typer

from connectors.sdk import ConfigError, registry
from connectors.sdk.sandbox import Sandbox, SandboxServer
from hub.cli.context import console, fail


def sandbox_cmd(
    name: str = typer.Argument(
        ..., help="Connector name, e.g. zoho-crm (see `synchub connectors list`)."
    ),
    port: int = typer.Option(0, help="TCP port; 0 picks a free one."),
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    seed: int = typer.Option(0, help="Seed of the generated data."),
    as_json: bool = typer.Option(
        False, "--json", help="Print URL and credentials as one JSON line first."
    ),
) -> None:
    """Start the simulator of a connector's vendor API and serve until interrupted."""
    try:
        cls = registry.load(name)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    if not cls.sandbox:
        raise fail(f"connector {name!r} ships no sandbox")
    sandbox_cls = registry.resolve(cls.sandbox)
    sandbox: Sandbox = sandbox_cls(seed=seed)
    server = SandboxServer(sandbox, host=host, port=port)
    creds = server.credentials()
    if as_json:
        sys.stdout.write(json.dumps(creds, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        console.print(f"[bold]{cls.title} sandbox[/] serving at {server.url} (Ctrl-C to stop)")
        for key, value in creds.items():
            console.print(f"  {key}: {value}", highlight=False)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
