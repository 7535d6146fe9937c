"""One two-way pipeline per connector under test, on seeded sandboxes and a fresh store.

Each scenario pairs the connector under test with a partner system, the way a
deployment would: Zoho CRM and Kingdee with each other (the demo's pipeline),
Jira and ZenTao with the CRM's contracts and milestones, YonBIP and U8 with the
CRM's customers and contracts. Both systems are seeded from one small business
(``hub.demo.universe.split``: overlapping customers, a mistyped tax id, a
company typed twice in finance), so every run links, creates both ways, holds
and dead-letters something.

A ``Deployment`` is one such pipeline: the sandboxes on real sockets (their apps
wrapped by ``reliability_wire``), a ``hub.yaml`` pointing at them, a store
(a copy of an upgraded SQLite template, or a private PostgreSQL schema), and a
fake sleep handed to every connector so retry storms cost no real waiting.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from reliability_wire import WireTap
from sqlalchemy import Engine

from connectors.sdk import Connector, registry
from connectors.sdk.fakedata import Universe, build_universe
from connectors.sdk.sandbox import Sandbox, SandboxServer
from connectors.testkit import SleepRecorder
from hub.demo.universe import split
from hub.settings import Settings, load_settings
from hub.store import make_engine, upgrade
from hub.sync import dlq, runner
from hub.sync.instances import MappingCatalogue
from hub.sync.runner import RunResult, run_pipeline

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = "reliability"
SEED = 11
COMPANIES = 10
PAGE_SIZE = 4
"""Small pages, so every stream is read in several and a fault can land between two."""

Binding = tuple[str, str, str]


@dataclass(frozen=True)
class System:
    """One vendor system of a scenario: connector type, its slice of the business, options."""

    connector: str
    universe: Callable[[Universe], Universe]
    mappings: str
    sandbox_options: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """A two-way pipeline whose ``target`` instance is the connector under test."""

    name: str
    pipeline: str
    """The two-way pipeline (one per pair of systems; two targets may share one)."""
    target: str
    systems: dict[str, System]
    bindings: tuple[Binding, ...]
    list_path: str
    """Path fragment of the target's list (read) requests."""
    list_method: str
    write_path: str
    """Path fragment of the target's create requests."""
    batch_writes: bool = True
    """Whether the vendor takes several records per create request."""
    page_key: Callable[[str, bytes], str] = field(default=lambda path, body: path)
    """Which list a list request pages through (its path, unless streams share one)."""
    page_size: int = PAGE_SIZE
    """Records in a full list page of the target (what its connector config asks for)."""
    notes: dict[str, str] = field(default_factory=dict)
    """What a fault means for this vendor, when it means less than it says (for the doc)."""


def _kingdee_form(path: str, body: bytes) -> str:
    """Kingdee pages every form through one ExecuteBillQuery path: the form tells them apart."""
    try:
        data = json.loads(body).get("data") or {}
    except ValueError:
        return path
    return f"{path}:{data.get('FormId')}:{data.get('FieldKeys')}"


def _jira_marker(path: str, body: bytes) -> str:
    """Jira searches every stream through /search/jql: the marker label tells them apart."""
    found = re.search(r"synchub-(contract|milestone)", body.decode(errors="replace"))
    return f"{path}:{found.group(1) if found else ''}"


def _crm(universe: Universe) -> Universe:
    return split(universe).crm


def _erp(universe: Universe) -> Universe:
    return split(universe).erp


def _half_the_contracts(universe: Universe) -> Universe:
    """A project tool that already tracks every other contract of the CRM's customers."""
    crm = split(universe).crm
    return dataclasses.replace(crm, contracts=crm.contracts[::2], invoices=[], payments=[])


ZOHO = System("zoho-crm", _crm, "zoho_crm", config={"page_size": PAGE_SIZE})
KINGDEE = System(
    "kingdee",
    _erp,
    "kingdee",
    # Password sessions: a signed deployment gets a new session silently on every call,
    # so a session dying mid-read would test nothing.
    sandbox_options={"auth_style": "session", "login": "password"},
    config={"page_size": PAGE_SIZE, "batch_size": 3},
)
DEMO_BINDINGS: tuple[Binding, ...] = (
    ("crm", "accounts", "both"),
    ("erp", "customers", "both"),
    ("crm", "contacts", "both"),
    ("crm", "contracts", "both"),
    ("erp", "contracts", "both"),
    ("crm", "contract_milestones", "both"),
    ("erp", "invoices_special", "in"),
    ("erp", "invoices_normal", "in"),
    ("crm", "invoices", "out"),
    ("erp", "payments", "in"),
    ("crm", "payments", "out"),
)
PROJECT_BINDINGS = (
    ("crm", "accounts", "in"),
    ("crm", "contracts", "in"),
    ("crm", "contract_milestones", "both"),
)
FINANCE_BINDINGS = (
    ("crm", "accounts", "both"),
    ("erp", "customers", "both"),
    ("crm", "contracts", "both"),
    ("erp", "sales_orders", "both"),
)

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "zoho-crm",
            "crm-erp",
            "crm",
            {"crm": ZOHO, "erp": KINGDEE},
            DEMO_BINDINGS,
            list_path="/crm/v8/",
            list_method="GET",
            write_path="/upsert",
        ),
        Scenario(
            "kingdee",
            "crm-erp",
            "erp",
            {"crm": ZOHO, "erp": KINGDEE},
            DEMO_BINDINGS,
            list_path="ExecuteBillQuery",
            list_method="POST",
            write_path="BatchSave",
            page_key=_kingdee_form,
            notes={
                "repeated-across-pages": "a page going back past the keyset filter is refused "
                "(filter ignored?) rather than looped on; the next run reads on"
            },
        ),
        Scenario(
            "jira",
            "crm-jira",
            "pm",
            {
                "crm": ZOHO,
                "pm": System("jira", _half_the_contracts, "jira", config={"page_size": PAGE_SIZE}),
            },
            (*PROJECT_BINDINGS, ("pm", "epics", "both"), ("pm", "milestones", "both")),
            list_path="/search",
            list_method="POST",
            write_path="/issue/bulk",
            page_key=_jira_marker,
            notes={
                "expired-credentials": "the API token goes with every request: "
                "there is no session to expire"
            },
        ),
        Scenario(
            "zentao",
            "crm-zentao",
            "pm",
            {
                "crm": ZOHO,
                "pm": System(
                    "zentao", _half_the_contracts, "zentao", config={"page_size": PAGE_SIZE}
                ),
            },
            (*PROJECT_BINDINGS, ("pm", "projects", "both"), ("pm", "executions", "both")),
            list_path="/api.php/v1/",
            list_method="GET",
            write_path="/api.php/v1/projects",
            batch_writes=False,
        ),
        Scenario(
            "yonyou-bip",
            "crm-bip",
            "erp",
            {
                "crm": ZOHO,
                "erp": System("yonyou-bip", _erp, "yonyou_bip", config={"page_size": PAGE_SIZE}),
            },
            FINANCE_BINDINGS,
            list_path="list",
            list_method="POST",
            write_path="newinsert",
            batch_writes=False,
        ),
        Scenario(
            "yonyou-u8",
            "crm-u8",
            "erp",
            {
                "crm": ZOHO,
                "erp": System("yonyou-u8", _erp, "yonyou_u8", config={"page_size": PAGE_SIZE}),
            },
            FINANCE_BINDINGS,
            list_path="/batch_get",
            list_method="GET",
            write_path="/add",
            batch_writes=False,
        ),
    )
}


PIPELINES: dict[str, Scenario] = {}
"""A scenario of each pipeline (the first one naming it)."""
for _scenario in SCENARIOS.values():
    PIPELINES.setdefault(_scenario.pipeline, _scenario)


@dataclass
class Deployment:
    """One scenario's running sandboxes, settings and store (see module docstring)."""

    scenario: Scenario
    folder: Path
    servers: dict[str, SandboxServer]
    taps: dict[str, WireTap]
    settings: Settings
    engine: Engine
    config_file: Path
    sleep: SleepRecorder = field(default_factory=SleepRecorder)
    results: list[RunResult] = field(default_factory=list)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def target(self) -> Sandbox:
        return self.servers[self.scenario.target].sandbox

    @property
    def tap(self) -> WireTap:
        return self.taps[self.scenario.target]

    def run(self, **kwargs: Any) -> RunResult:
        """One run in this process, every connector built with the fake sleep."""
        with wiring(self.sleep):
            result = asyncio.run(run_pipeline(self.settings, self.engine, PIPELINE, **kwargs))
        self.results.append(result)
        return result

    def run_until_quiet(self, limit: int = 6) -> list[RunResult]:
        """Run until a run succeeds and changes nothing (what a schedule converges to)."""
        runs: list[RunResult] = []
        for _ in range(limit):
            result = self.run()
            runs.append(result)
            total = result.total()
            if result.error is None and not (
                total.created
                or total.updated
                or total.pushed_created
                or total.pushed_updated
                or total.linked
            ):
                return runs
        raise AssertionError(
            f"{self.scenario.name}: not quiet after {limit} runs: "
            + "; ".join(f"{r.status} {r.error or ''} {r.total().as_dict()}" for r in runs)
        )

    def retry_letters(self) -> int:
        """Retry every open dead letter once, as the retry job does; returns how many there were.

        Both a faulted deployment and its fault-free reference get this turn, so letters a
        fault caused (a refused row, records waiting for one) must go through in it, and
        letters the data causes anyway fail again in both."""
        letters = [x["id"] for x in dlq.list_letters(self.engine, limit=10_000)]
        if letters:
            with wiring(None):
                asyncio.run(
                    dlq.retry(self.settings, self.engine, sorted(letters), actor="retry-job")
                )
        return len(letters)

    def disarm(self) -> None:
        """Switch every fault off (before looking at what the vendors hold)."""
        for server in self.servers.values():
            server.sandbox.faults.clear()
        for tap in self.taps.values():
            tap.actions.clear()
            tap.repeat = tap.spoil = None

    def quiesce(self) -> None:
        """Wait until no request is being served (a late write lands before anyone looks)."""
        for tap in self.taps.values():
            tap.wait_idle()

    def close(self) -> None:
        for server in self.servers.values():  # all told to stop first, then each waited for
            server.server.should_exit = server.server.force_exit = True
        for server in self.servers.values():
            server.stop()
        self.engine.dispose()


@contextmanager
def wiring(sleep: SleepRecorder | None) -> Iterator[None]:
    """Runs in this process get a fake sleep (the SDK's ``sleep=`` parameter) and share
    compiled mappings.

    The runner loads and compiles every mapping file on every run (about 40 ms a
    file here); a suite of hundreds of runs over the same files keeps them, keyed
    by the files' content, so a changed file is still loaded afresh.
    """
    original_build, original_catalogue = runner.build_connector, runner.MappingCatalogue

    def build(settings: Settings, instance: str, **kwargs: Any) -> Connector[Any]:
        spec = settings.connectors[instance]
        cls = registry.load(spec.type)
        return cls(spec.config, instance=instance, sleep=sleep, **kwargs)

    if sleep is not None:
        runner.build_connector = build  # type: ignore[assignment]
    runner.MappingCatalogue = cached_catalogue  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        runner.build_connector = original_build
        runner.MappingCatalogue = original_catalogue  # type: ignore[misc]


_CATALOGUES: dict[tuple[tuple[str, bytes], ...], MappingCatalogue] = {}


def cached_catalogue(root: Path) -> MappingCatalogue:
    """``MappingCatalogue(root)``, shared between folders holding the same files."""
    key = tuple(
        (str(path.relative_to(root)), hashlib.sha256(path.read_bytes()).digest())
        for path in sorted(root.rglob("*.yaml"))
    )
    if key not in _CATALOGUES:
        _CATALOGUES[key] = MappingCatalogue(root)
    return _CATALOGUES[key]


def start_sandbox(system: System, universe: Universe) -> tuple[SandboxServer, WireTap]:
    cls = registry.load(system.connector)
    assert cls.sandbox, system.connector
    sandbox: Sandbox = registry.resolve(cls.sandbox)(
        seed=SEED, universe=system.universe(universe), **system.sandbox_options
    )
    tap = WireTap.install(sandbox)
    return SandboxServer(sandbox).start(), tap


def deploy(
    scenario: Scenario,
    folder: Path,
    store: Callable[[Path], tuple[str, Engine]],
    *,
    http: dict[str, Any] | None = None,
    companies: int = COMPANIES,
) -> Deployment:
    """Start the scenario's sandboxes and write its settings; ``store`` gives the database."""
    folder.mkdir(parents=True, exist_ok=True)
    universe = build_universe(SEED, companies)
    servers: dict[str, SandboxServer] = {}
    taps: dict[str, WireTap] = {}
    for instance, system in scenario.systems.items():
        servers[instance], taps[instance] = start_sandbox(system, universe)
    mappings = folder / "mappings"
    for system in scenario.systems.values():
        shutil.copytree(ROOT / "mappings" / system.mappings, mappings / system.mappings)
    url, engine = store(folder)
    connectors = {}
    for instance, system in scenario.systems.items():
        config = {**servers[instance].connector_config(), **system.config}
        if http is not None and instance == scenario.target:
            config["http"] = {**config.get("http", {}), **http}
        connectors[instance] = {"type": system.connector, "config": config}
    config_file = folder / "hub.yaml"
    config_file.write_text(
        yaml.safe_dump(
            {
                "database_url": url,
                "data_dir": str(folder),
                "mappings_dir": str(mappings),
                "connectors": connectors,
                "pipelines": {
                    PIPELINE: {
                        "conflict_policy": "owner_wins",
                        "streams": [
                            {"connector": c, "stream": s, "direction": d}
                            for c, s, d in scenario.bindings
                        ],
                    }
                },
            },
            allow_unicode=True,
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    settings = load_settings(config_file)
    return Deployment(scenario, folder, servers, taps, settings, engine, config_file)


class SqliteTemplate:
    """An upgraded empty SQLite store, copied per deployment (migrations run once)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "template.db"
        engine = make_engine(f"sqlite:///{self.path}")
        upgrade(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()

    def __call__(self, folder: Path) -> tuple[str, Engine]:
        target = folder / "hub.db"
        shutil.copyfile(self.path, target)
        url = f"sqlite:///{target}"
        return url, make_engine(url)
