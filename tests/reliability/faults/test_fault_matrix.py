"""Every connector, every fault: a two-way sync under the fault ends where a fault-free run does.

For each connector (the target) and each fault of ``reliability_faults``, a
fresh deployment of the connector's pipeline is synced with the fault armed on
the target's sandbox, run after run until a run succeeds and changes nothing
(what the schedule converges to), dead letters the fault caused are retried
once (what an operator or the retry job does), and then:

* the stores equal the fault-free reference: canonical rows, links, what each
  vendor holds (read back in full), dead letters and held conflicts, with
  multiplicities, so a duplicate remote record or a record applied twice shows;
* nothing is lost: every record a complete read finds at an inbound vendor is
  linked, dead-lettered or held, and every dead letter has a reason; a cursor
  that skipped a page for good would leave records no incremental run ever
  reads again;
* the fault really happened (a fault that never fired proves nothing), and
  waits cost no real time: connectors got a fake sleep, which recorded them.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from reliability_faults import FAULTS, Hits, ordinals
from reliability_refs import References
from reliability_report import write_result
from reliability_scenarios import SCENARIOS, Deployment, Scenario, SqliteTemplate, deploy
from reliability_snapshot import Describer, Snapshot, take_snapshot

from hub.sync import dlq

pytestmark = pytest.mark.slow


def kind_of(scenario: Scenario, method: str, path: str) -> str:
    """What sort of request a fault hit: a login, a list page, a write, or another read."""
    lowered = path.lower()
    if any(w in lowered for w in ("token", "login", "validateuser", "oauth", "auth", "gateway")):
        return "auth"
    if scenario.list_path in path and method == scenario.list_method:
        return "list"
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        return "write"
    return "read"


def new_letters(deployment: Deployment, reference: Snapshot) -> list[int]:
    """Open dead letters the reference does not have (what the fault caused)."""
    describer = Describer(deployment.engine, deployment.started)
    expected = Counter(reference.letters)
    fresh: list[int] = []
    for letter in describer.letter_rows:
        subject = (
            describer.describe(str(letter["hub_id"]))
            if letter["hub_id"] and str(letter["hub_id"]) in describer.rows
            else "remote record"
        )
        key = (
            f"{letter['connector']}.{letter['stream']} {letter['direction']} {letter['stage']} "
            f"field={letter['field']} {subject}"
        )
        if expected[key] > 0:
            expected[key] -= 1
        else:
            fresh.append(int(letter["id"]))
    return fresh


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_sync_under_fault_ends_equal_to_the_fault_free_run(
    scenario: str,
    fault: str,
    references: References,
    sqlite_template: SqliteTemplate,
    deployed: list[Deployment],
    tmp_path: Path,
) -> None:
    spec, plan = SCENARIOS[scenario], FAULTS[fault]
    reference = references.get(scenario)
    deployment = deploy(spec, tmp_path, sqlite_template, http=plan.http)
    deployed.append(deployment)
    hits: Hits = plan.arm(deployment.tap, spec, ordinals(reference.first_run_requests))

    runs = deployment.run_until_quiet(limit=8)
    deployment.quiesce()
    retried: list[int] = []
    caused = new_letters(deployment, reference.snapshot)
    if fault == "partial-batch":
        # the refused row, and records that reference it (not linked yet), wait with a reason
        letters = [dlq.get_letter(deployment.engine, i) or {} for i in caused]
        refused = [x for x in letters if x.get("stage") == "write" and x.get("error")]
        assert refused, letters
        assert all(x.get("error") for x in letters), letters
        deployment.disarm()
        report = asyncio.run(
            dlq.retry(deployment.settings, deployment.engine, sorted(caused), actor="reliability")
        )
        assert sorted(report.resolved) == sorted(caused), report.failing
        retried = caused
        runs += deployment.run_until_quiet()
    else:
        assert caused == [], [dlq.get_letter(deployment.engine, i) for i in caused]
    deployment.disarm()
    snapshot = take_snapshot(deployment)

    rule: Any = getattr(hits, "rule", None)
    if rule is not None:
        assert rule.done is not None, f"{fault} never applied on {spec.name}"
    else:
        assert hits.requests, f"{fault} never fired on {spec.name}"
    problems = snapshot.differences(reference.snapshot)
    assert problems == [], "\n".join(problems[:20])
    assert snapshot.unaccounted == []
    assert snapshot.silent_letters == []
    target_stats = [r.requests.get(spec.target, {}) for r in runs]
    if fault.startswith("rate-limit") or fault in ("server-errors", "reset-mid-body"):
        assert deployment.sleep.waits, "retries waited on the fake sleep"
    if plan.waits_for_vendor_hint and deployment.target.rate_limit_advertises_wait():
        assert 7.0 in deployment.sleep.waits, deployment.sleep.waits

    write_result(
        "faults",
        f"{scenario}--{fault}",
        {
            "scenario": scenario,
            "fault": fault,
            "equal": True,
            "hit_kinds": [kind_of(spec, m, p) for m, p in hits.requests] or ["list"],
            "failed_runs": sum(1 for r in runs if r.error),
            "runs": [r.status for r in runs],
            "errors": [r.error for r in runs if r.error],
            "retries": sum(int(s.get("retries", 0)) for s in target_stats),
            "virtual_wait_seconds": round(sum(deployment.sleep.waits), 3),
            "letters_retried": len(retried),
            "rewritten": getattr(rule, "done", None),
        },
    )
