"""Invalid vendor records in a real pull: each is dead-lettered naming record and field; the run goes on.

A Zoho CRM sandbox holds good accounts, contracts and invoices, and next to them
records a careless user (or a vendor that validates less than the hub) left
behind: a wrong tax-id check character, a negative amount, net + tax != gross,
an unknown currency, dates outside 1990-2100, over-long and control-character
text, a value the value map does not know, and a name of a megabyte. The pull
must store every good record (Chinese, emoji and SQL-looking text verbatim),
put every bad one in the dead-letter queue with its remote id, its field and a
short reason, and finish as ``partial``, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from connectors.sdk.sandbox import SandboxServer
from connectors.zoho_crm.sandbox import ZohoCrmSandbox
from hub.settings import Settings
from hub.store import upgrade
from hub.sync import repo
from hub.sync.runner import run_pipeline

REPO = Path(__file__).resolve().parents[3]
GOOD_NAMES = [
    "杭州数智😀科技有限公司",
    "Robert'); DROP TABLE customer;-- 有限公司",
    '北京 "引号" & <标签> %_ 通配 公司',
]


@pytest.fixture
def zoho() -> Iterator[SandboxServer]:
    """A small seeded Zoho org on a real socket."""
    with SandboxServer(ZohoCrmSandbox(seed=11, companies=3)) as server:
        yield server


def plant(sandbox: ZohoCrmSandbox, stream: str, n: int, **bad: Any) -> str:
    """Create a valid record, then overwrite fields the way a lenient vendor would store them."""
    with sandbox.lock:
        module = sandbox._module_of(stream)
        record = sandbox.org.apply(module, sandbox.sample_record(stream, n), 0, None)
        record.update(bad)
        return str(record["id"])


def settings_for(zoho: SandboxServer, tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        mappings_dir=REPO / "mappings",
        connectors={"crm": {"type": "zoho-crm", "config": zoho.connector_config()}},
        pipelines={
            "p": {
                "streams": [
                    {"connector": "crm", "stream": s, "direction": "in"}
                    for s in ("accounts", "contracts", "invoices")
                ]
            }
        },
    )


def test_each_invalid_record_is_dead_lettered_with_its_field_and_the_rest_syncs(
    zoho: SandboxServer, any_engine: Engine, tmp_path: Path
) -> None:
    sandbox = zoho.sandbox
    assert isinstance(sandbox, ZohoCrmSandbox)
    good = [
        plant(sandbox, "accounts", 900 + i, Account_Name=name) for i, name in enumerate(GOOD_NAMES)
    ]
    expected = {
        plant(sandbox, "accounts", 910, Tax_ID="91330100MA27XK5A0X"): ("tax_id", "check character"),
        plant(sandbox, "accounts", 911, Account_Name="长" * 201): ("name", "at most 200"),
        plant(sandbox, "accounts", 912, Account_Name="ACME\x00\x07 Ltd"): (
            "name",
            "control characters",
        ),
        plant(sandbox, "accounts", 913, Finance_Email="not-an-address"): ("email", "e-mail"),
        plant(sandbox, "accounts", 914, Account_Type="Competitor"): (
            "status",
            "not in the value map",
        ),
        plant(sandbox, "accounts", 915, Account_Name="大" * 1_000_000): ("name", "at most 200"),
        plant(sandbox, "contracts", 920, Amount=Decimal("-5000")): ("amount", "cannot be negative"),
        plant(sandbox, "contracts", 921, Currency="XYZ"): ("currency", "unknown currency 'XYZ'"),
        plant(sandbox, "contracts", 922, Sign_Date="1899-12-31"): (
            "sign_date",
            "outside 1990-2100",
        ),
        plant(sandbox, "contracts", 923, End_Date="2201-01-01"): ("end_date", "outside 1990-2100"),
        plant(sandbox, "contracts", 924, Amount=Decimal("1E+15")): ("amount", "out of range"),
        plant(sandbox, "invoices", 930, Grand_Total=Decimal("999.99")): ("gross", "!= gross"),
    }
    upgrade(any_engine)
    result = asyncio.run(run_pipeline(settings_for(zoho, tmp_path), any_engine, "p", full=True))

    assert result.status == "partial", result.error
    assert result.error is None
    with any_engine.connect() as conn:
        letters = {
            row.remote_id: row
            for row in conn.execute(select(repo.DEAD).where(repo.DEAD.c.status == "open"))
        }
        names = set(conn.execute(select(repo.entity_table("customer").c.name)).scalars())
        invoices = conn.execute(select(repo.entity_table("invoice").c.number)).scalars().all()
    problems = {}
    for remote_id, (field, words) in expected.items():
        letter = letters.get(remote_id)
        if letter is None or letter.field != field or words not in letter.error:
            problems[remote_id] = (field, words, letter and (letter.field, letter.error[:200]))
        elif len(letter.error) > 600:
            problems[remote_id] = ("error too long", len(letter.error))
    assert problems == {}
    assert set(GOOD_NAMES) <= names  # stored verbatim, quotes and all
    assert not {"ACME Ltd", "长" * 200} & names
    assert len(invoices) >= 1  # the seeded good invoices synced beside the bad one
    for remote_id in good:
        assert remote_id not in letters
    total = result.total()
    assert total.dead_lettered == len(expected)
    assert total.created >= len(good) + 3
