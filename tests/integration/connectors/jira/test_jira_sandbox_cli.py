"""`synchub sandbox jira --port N [--flavour cloud|dc] --json`, as a script would run it.

Also covers the generic ``--flavour`` / ``--option KEY=VALUE`` passthrough the
command gained for vendor options (hub/cli/sandbox.py).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import typer
from sandbox_cli import SYNCHUB, served

from hub.cli.sandbox import sandbox_options


@contextmanager
def running(*args: str) -> Iterator[dict[str, Any]]:
    with served("jira", *args) as (_, creds):
        yield creds


@pytest.mark.parametrize(("flavour", "deployment"), [("cloud", "Cloud"), ("dc", "Server")])
def test_first_line_is_json_with_the_credentials(flavour: str, deployment: str) -> None:
    with running("--flavour", flavour, "--option", "time_zone=Europe/Berlin") as creds:
        assert set(creds) == {"base_url", "email", "api_token", "pat", "project_key"}
        auth = {"Authorization": f"Bearer {creds['pat']}"} if flavour == "dc" else {}
        basic = None if flavour == "dc" else (creds["email"], creds["api_token"])
        with httpx.Client(base_url=creds["base_url"], headers=auth, auth=basic) as client:
            info = client.get("/rest/api/2/serverInfo").json()
            me = client.get("/rest/api/2/myself").json()
            project = client.get(f"/rest/api/2/project/{creds['project_key']}")
    assert info["deploymentType"] == deployment
    assert me["timeZone"] == "Europe/Berlin"
    assert project.status_code == 200


def test_an_option_the_sandbox_does_not_know_fails_clearly() -> None:
    result = subprocess.run(
        [SYNCHUB, "sandbox", "jira", "--port", "0", "--option", "colour=blue"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "colour" in result.stdout + result.stderr


def test_options_are_parsed_as_keyword_text() -> None:
    assert sandbox_options(["populate=false", "time_zone=UTC"], "dc") == {
        "populate": "false",
        "time_zone": "UTC",
        "flavour": "dc",
    }
    assert sandbox_options(["url=http://x/?a=b"]) == {"url": "http://x/?a=b"}


@pytest.mark.parametrize("pair", ["no-equals-sign", "bad key=1", "=value"])
def test_malformed_options_are_refused(pair: str) -> None:
    with pytest.raises(typer.Exit):
        sandbox_options([pair])
