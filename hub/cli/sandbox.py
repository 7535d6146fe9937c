"""``synchub sandbox NAME``: run a vendor simulator on 127.0.0.1 for demos, scripts and clients."""

from __future__ import annotations

import contextlib
import json
import sys
import typing
from typing import Any

import typer

from connectors.sdk import ConfigError, registry
from connectors.sdk.sandbox import Sandbox, SandboxServer
from hub.cli.context import console, fail


def sandbox_options(pairs: list[str], flavour: str | None = None) -> dict[str, str]:
    """``KEY=VALUE`` pairs (and ``--flavour``) as keyword arguments for a sandbox constructor."""
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip().isidentifier():
            raise fail(f"--option expects KEY=VALUE with KEY a plain name, got {pair!r}")
        options[key.strip()] = value
    if flavour is not None:
        options["flavour"] = flavour
    return options


def typed_options(sandbox_cls: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Option text converted to what the sandbox's constructor declares (int, float, bool)."""
    hints = typing.get_type_hints(sandbox_cls.__init__)
    typed: dict[str, Any] = {}
    for key, text in options.items():
        kinds = set(typing.get_args(hints.get(key))) or {hints.get(key)}
        if isinstance(text, str) and bool in kinds:
            if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(f"option {key} expects true or false, got {text!r}")
            typed[key] = text.lower() in ("true", "1", "yes")
        elif isinstance(text, str) and int in kinds:
            typed[key] = int(text)
        elif isinstance(text, str) and float in kinds:
            typed[key] = float(text)
        else:
            typed[key] = text
    return typed


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
    flavour: str | None = typer.Option(
        None, help="Vendor flavour, for sandboxes that simulate several (jira: cloud or dc)."
    ),
    option: list[str] = typer.Option(
        [],
        "--option",
        "-o",
        help="A vendor option KEY=VALUE passed to the sandbox (repeatable; values are text).",
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
    options = sandbox_options(option, flavour)
    try:
        options = typed_options(sandbox_cls, options)
        sandbox: Sandbox = sandbox_cls(seed=seed, **options)
    except (TypeError, ValueError) as exc:
        raise fail(f"the {name} sandbox refused its options {sorted(options)}: {exc}") from None
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
