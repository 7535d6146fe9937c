"""The admin walkthrough in a real browser, screenshot at each step.

Log in, add a Zoho CRM connector pointing at the sandbox, test the connection,
preview a mapping, create and run a pipeline and watch it finish, retry a dead
letter (the CRM record fixed at the source), resolve a match conflict, log out.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from web_support import LiveServer, copy_mappings, make_settings

from connectors.sdk.fakedata import build_universe
from connectors.sdk.sandbox import SandboxServer
from connectors.zoho_crm.sandbox import ZohoCrmSandbox
from hub.auth import create_user
from hub.model import validate
from hub.store import make_engine, upgrade
from hub.sync import repo
from hub.sync.names import normalise_name
from hub.web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def twin_customers(engine: Engine, name: str, tax_id: str) -> None:
    """Two canonical customers sharing a tax id: the CRM account will match both (ambiguous)."""
    now = datetime.now(UTC)
    values = validate("customer", {"name": name, "tax_id": tax_id}).model_dump()
    rows = [
        {
            **values,
            "name": f"{name}{suffix}",
            "id": str(uuid.uuid4()),
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "deleted_at": None,
            "extra": {},
            "provenance": {},
            "name_key": normalise_name(f"{name}{suffix}"),
        }
        for suffix in ("", "（分公司）")
    ]
    with engine.begin() as conn:
        repo.insert_rows(conn, "customer", rows)


def test_admin_walkthrough(browser: Browser, shots: Path, tmp_path: Path) -> None:
    universe = build_universe(7, 6)
    broken = universe.companies[1]
    wrong = broken.tax_id[:-1] + ("0" if broken.tax_id[-1] != "0" else "1")
    universe = dataclasses.replace(
        universe,
        companies=[
            dataclasses.replace(c, tax_id=wrong) if c is broken else c for c in universe.companies
        ],
    )
    sandbox = ZohoCrmSandbox(seed=7, universe=universe)
    copy_mappings(tmp_path / "mappings")
    settings = make_settings(tmp_path)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    create_user(engine, "admin", "admin-password-1", "admin", actor="test")
    twin = universe.companies[2]
    twin_customers(engine, twin.name, twin.tax_id)
    with SandboxServer(sandbox) as zoho:
        server = LiveServer(create_app(settings, engine)).start()
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
            walk(page, server.url, zoho.connector_config(), sandbox, broken.tax_id, shots)
            page.close()
        finally:
            server.stop()
            engine.dispose()


def walk(
    page: Page,
    url: str,
    config: dict[str, str],
    sandbox: ZohoCrmSandbox,
    right_tax_id: str,
    shots: Path,
) -> None:
    page.goto(f"{url}/")
    expect(page).to_have_url(f"{url}/login?next=/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "admin-password-1")
    page.screenshot(path=shots / "01-login.png")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Overview")
    page.screenshot(path=shots / "02-overview.png")

    page.goto(f"{url}/connectors/new?type=zoho-crm")
    page.fill("#f-name", "crm")
    page.select_option("#f-data_centre", config["data_centre"])
    for key in ("accounts_url", "client_id", "client_secret", "refresh_token"):
        page.fill(f"#f-{key}", config[key])
    page.screenshot(path=shots / "03-add-connector.png")
    page.click("#save-connector")
    expect(page.locator("h1")).to_contain_text("crm")
    expect(page.locator("#f-client_secret")).to_have_value("")
    assert config["client_secret"] not in page.content()

    page.click("#test-connection")
    expect(page.locator("#check-outcome")).to_have_attribute("data-ok", "true")
    page.screenshot(path=shots / "04-test-connection.png")

    page.goto(f"{url}/mappings/zoho_crm/customer.yaml")
    expect(page.locator("#mapping-valid")).to_be_visible()
    page.click("#preview-mapping")
    expect(page.locator("#preview-canonical")).to_contain_text("tax_id")
    page.screenshot(path=shots / "05-mapping-preview.png", full_page=True)

    page.goto(f"{url}/pipelines/new")
    page.fill("input[name=name]", "crm-in")
    page.fill(
        "textarea[name=definition]",
        "description: CRM accounts in\nconflict_policy: hold\nstreams:\n  - {connector: crm, stream: accounts, direction: in}\n",
    )
    page.click("button[type=submit].primary")
    expect(page.locator("#pipeline-crm-in")).to_be_visible()
    page.click("[data-run=crm-in]")
    expect(page.locator("#run-progress")).to_have_attribute(
        "data-status", "partial", timeout=60_000
    )
    page.screenshot(path=shots / "06-run-finished.png", full_page=True)

    page.goto(f"{url}/dlq")
    page.locator("[data-letter]").first.click()
    expect(page.locator("#letter-error")).to_be_visible()
    with sandbox.lock:
        for record in sandbox.org.records["Accounts"].values():
            if record["Tax_ID"] != right_tax_id and record["Tax_ID"][:-1] == right_tax_id[:-1]:
                record["Tax_ID"] = right_tax_id
                record["Modified_Time"] = sandbox.org.now()
    page.screenshot(path=shots / "07-dead-letter.png", full_page=True)
    page.click("#retry-letter")
    expect(page.locator("#retried")).to_be_visible(timeout=60_000)
    page.screenshot(path=shots / "08-dead-letter-retried.png")

    page.goto(f"{url}/conflicts")
    page.locator("[data-conflict]").first.click()
    page.screenshot(path=shots / "09-conflict.png", full_page=True)
    page.click("#resolve-conflict")
    expect(page.locator("#resolved")).to_be_visible(timeout=60_000)
    page.screenshot(path=shots / "10-conflict-resolved.png")

    page.click("#logout")
    expect(page).to_have_url(f"{url}/login")
    page.goto(f"{url}/connectors")
    expect(page).to_have_url(f"{url}/login?next=/connectors")
    page.screenshot(path=shots / "11-logged-out.png")
