"""schemathesis against the OpenAPI schema, authenticated with an API token: no server errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from web_support import LiveServer

from hub.auth import create_token, get_user


@pytest.mark.slow
def test_api_fuzzing_finds_no_server_error(
    live: LiveServer, hub_engine: Engine, tmp_path: Path
) -> None:
    admin = get_user(hub_engine, name="admin")
    assert admin is not None
    _info, token = create_token(hub_engine, admin, "schemathesis", actor="test")
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{live.url}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        "15",
        "--seed",
        "1",
        "--report-dir",
        str(tmp_path),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
