"""One headless Chromium for the browser tests (Debian's, driven by Playwright; never downloaded).

Playwright's sync API keeps an event loop running in the main thread while it is
open, which would break every later test that calls ``asyncio.run``; the browser
is therefore scoped to a test module and closed when its tests are done.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless /usr/bin/chromium."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def shots() -> Path:
    """Where screenshots go (gitignored test artefacts)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
