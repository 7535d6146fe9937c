"""Concurrency: people edit both systems while a sync runs; two hub processes share one SQLite file.

Edits are made over each vendor's own API at exact moments of a run: while the
hub reads one system's page, a person edits the other system (a sandbox hook
hands the edit to a thread and waits for it, so the moment is the same every
time). Each edit must arrive on the other side and in the store exactly once:
one change row per edit and source, no duplicate record anywhere, no conflict
and no dead letter.

Two processes: ``synchub sync run`` is started twice on one SQLite file; the
first is held in mid-read (its vendor answers only when the test says so), the
second must be refused with a message naming the first as the lease holder and
touch nothing; the first then finishes, the file passes SQLite's integrity
check and the stores equal the fault-free run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reliability_refs import References
from reliability_scenarios import PIPELINE, SCENARIOS, Deployment, SqliteTemplate, deploy
from reliability_snapshot import take_snapshot
from reliability_users import Editors
from reliability_wire import Action, WireTap
from sqlalchemy import select, text
from vendor_users import KingdeeUser, ZohoUser

from hub.store import Run
from hub.sync import repo

pytestmark = pytest.mark.slow

CUSTOMER = repo.entity_table("customer")
RUN = Run.__table__  # type: ignore[attr-defined]


@pytest.fixture
def editors() -> Iterator[Editors]:
    """The thread people's edits are made on."""
    running = Editors()
    yield running
    running.close()


@pytest.fixture
def closing() -> Iterator[list[ZohoUser | KingdeeUser]]:
    """People's API clients, closed after the test."""
    users: list[ZohoUser | KingdeeUser] = []
    yield users
    for user in users:
        user.close()


def linked_customers(deployment: Deployment) -> list[tuple[str, str, str]]:
    """(hub id, Zoho account id, Kingdee number) of customers linked in both systems."""
    with deployment.engine.connect() as conn:
        links = [dict(r) for r in conn.execute(select(repo.LINK)).mappings()]
    crm = {
        x["hub_id"]: x["remote_id"]
        for x in links
        if (x["connector"], x["entity"]) == ("crm", "customer")
    }
    erp = {
        x["hub_id"]: x["remote_id"]
        for x in links
        if (x["connector"], x["entity"]) == ("erp", "customer")
    }
    return [(h, crm[h], erp[h]) for h in sorted(crm) if h in erp]


def once(
    fired: dict[str, bool], name: str, editors: Editors, edit: Callable[[], None], exact: str
) -> Action:
    """A hook making ``edit`` the first time the hub asks for exactly ``exact``."""

    def action(tap: WireTap, n: int, method: str, path: str) -> None:
        if path != exact or fired.get(name):
            return
        fired[name] = True
        editors.now(edit)

    return action


def test_edits_on_both_sides_while_a_sync_runs_are_neither_lost_nor_applied_twice(
    sqlite_template: SqliteTemplate,
    deployed: list[Deployment],
    editors: Editors,
    closing: list[ZohoUser | KingdeeUser],
    tmp_path: Path,
) -> None:
    deployment = deploy(SCENARIOS["zoho-crm"], tmp_path, sqlite_template)
    deployed.append(deployment)
    deployment.run_until_quiet()
    (x, x_crm, x_erp), (y, y_crm, y_erp), (z, z_crm, _) = linked_customers(deployment)[:3]
    crm, erp = deployment.servers["crm"], deployment.servers["erp"]
    zoho, kingdee = ZohoUser(crm), KingdeeUser(erp)
    closing.extend([zoho, kingdee])
    counts_before = {
        (name, stream): len(server.sandbox.remote_ids(stream))
        for name, server in deployment.servers.items()
        for _, stream, _ in [b for b in deployment.scenario.bindings if b[0] == name]
    }

    def bank(number: str, value: str) -> Callable[[], None]:
        record = erp.sandbox.get_record("customers", number)
        assert record is not None
        return lambda: kingdee.edit(
            "BD_Customer", "FCUSTID", record["FCUSTID"], number, {"FINVOICEBANKACCOUNT": value}
        )

    def phone(account: str, value: str) -> Callable[[], None]:
        return lambda: zoho.update("Accounts", account, {"Phone": value})

    def both(*edits: Callable[[], None]) -> Callable[[], None]:
        return lambda: [edit() for edit in edits] and None

    fired: dict[str, bool] = {}
    crm_tap, erp_tap = deployment.taps["crm"], deployment.taps["erp"]
    # Kingdee owns bank details, the CRM owns phone numbers (mappings/*/customer.yaml).
    crm_tap.on(
        "/crm/v8/Accounts",
        once(
            fired,
            "bank of X while the hub reads CRM accounts",
            editors,
            bank(x_erp, "6222000000000011"),
            "/crm/v8/Accounts",
        ),
        "GET",
    )
    erp_tap.on(
        "ExecuteBillQuery",
        once(
            fired,
            "phones of X and Y while the hub reads Kingdee",
            editors,
            both(phone(x_crm, "010-60000011"), phone(y_crm, "010-60000012")),
            "/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc",
        ),
        "POST",
    )
    crm_tap.on(
        "/crm/v8/Accounts",
        once(
            fired,
            "bank of Y while the hub writes to the CRM",
            editors,
            bank(y_erp, "6222000000000012"),
            "/crm/v8/Accounts",
        ),
        "PUT",
    )
    erp_tap.on(
        "BatchSave",
        once(
            fired,
            "phone of Z while the hub writes to Kingdee",
            editors,
            phone(z_crm, "010-60000013"),
            "/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.BatchSave.common.kdsvc",
        ),
        "POST",
    )
    since = datetime.now(UTC)
    deployment.run_until_quiet()
    deployment.disarm()

    assert sorted(fired) == sorted(
        [
            "bank of X while the hub reads CRM accounts",
            "phones of X and Y while the hub reads Kingdee",
            "bank of Y while the hub writes to the CRM",
            "phone of Z while the hub writes to Kingdee",
        ]
    )
    edits = [
        (x, "bank_account", "6222000000000011", "erp"),
        (x, "phone", "010-60000011", "crm"),
        (y, "phone", "010-60000012", "crm"),
        (y, "bank_account", "6222000000000012", "erp"),
        (z, "phone", "010-60000013", "crm"),
    ]
    with deployment.engine.connect() as conn:
        rows = {r["id"]: dict(r) for r in conn.execute(select(CUSTOMER)).mappings()}
        changes = [
            dict(r)
            for r in conn.execute(select(repo.CHANGE).where(repo.CHANGE.c.at >= since)).mappings()
        ]
        conflicts = conn.execute(
            select(repo.CONFLICT).where(repo.CONFLICT.c.created_at >= since)
        ).all()
        letters = conn.execute(select(repo.DEAD).where(repo.DEAD.c.first_seen >= since)).all()
    links = {h: (c, e) for h, c, e in linked_customers(deployment)}
    for hub_id, field, value, source in edits:
        assert rows[hub_id][field] == value, (field, rows[hub_id][field])
        applied = [
            c
            for c in changes
            if c["hub_id"] == hub_id and field in c["fields"] and c["source"] == source
        ]
        assert len(applied) == 1, (field, value, applied)
        account, number = links[hub_id]
        if source == "erp":  # arrived in the CRM
            assert (crm.sandbox.get_record("accounts", account) or {}).get("Bank_Account") == value
        else:  # arrived in Kingdee
            assert (erp.sandbox.get_record("customers", number) or {}).get("FTEL") == value
    assert conflicts == []
    assert letters == []
    counts_after = {
        key: len(deployment.servers[key[0]].sandbox.remote_ids(key[1])) for key in counts_before
    }
    assert counts_after == counts_before
    snapshot = take_snapshot(deployment)
    assert snapshot.unaccounted == []


def test_a_second_hub_process_on_the_same_sqlite_file_is_refused_and_nothing_is_corrupted(
    references: References,
    sqlite_template: SqliteTemplate,
    deployed: list[Deployment],
    tmp_path: Path,
) -> None:
    deployment = deploy(SCENARIOS["zoho-crm"], tmp_path, sqlite_template)
    deployed.append(deployment)
    reading, release = threading.Event(), threading.Event()

    def hold(tap: WireTap, n: int, method: str, path: str) -> None:
        if n == 3:  # the first process is in mid-read of Kingdee; its answer waits
            reading.set()
            assert release.wait(timeout=120)

    deployment.taps["erp"].on("ExecuteBillQuery", hold, "POST")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCHUB_")}
    command = [
        sys.executable,
        "-m",
        "hub.cli.app",
        "--config",
        str(deployment.config_file),
        "sync",
        "run",
        PIPELINE,
    ]
    first = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert reading.wait(timeout=120), "the first process never reached Kingdee"
        second = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )
    finally:
        release.set()
    output, _ = first.communicate(timeout=120)

    assert second.returncode == 1, second.stdout + second.stderr
    refusal = " ".join((second.stdout + second.stderr).split())
    assert f"pipeline {PIPELINE} is already running, held by cli@" in refusal, refusal
    assert f":{first.pid}/" in refusal, refusal
    assert first.returncode == 0, output
    with deployment.engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        runs = [dict(r) for r in conn.execute(select(RUN)).mappings()]
    assert [(r["trigger"], r["status"]) for r in runs] in (
        [("cli", "succeeded")],
        [("cli", "partial")],
    ), runs  # the refused process opened no run
    deployment.disarm()
    deployment.run_until_quiet()
    deployment.retry_letters()  # the retry job's turn, as the reference had
    deployment.run_until_quiet()
    reference = references.get("zoho-crm")
    snapshot = take_snapshot(deployment)
    problems = snapshot.differences(reference.snapshot)
    assert problems == [], "\n".join(problems[:20])
