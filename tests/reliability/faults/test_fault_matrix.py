"""Every connector, every fault: a two-way sync under the fault ends where a fault-free run does.

For each connector (the target) and each fault of ``reliability_faults``, a
fresh deployment of the connector's pipeline is synced with the fault armed on
the target's sandbox, run after run until a run succeeds and changes nothing
(what the schedule converges to), dead letters the fault caused are retried
once (what the retry job does a few minutes later), and then:

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

from pathlib import Path
from typing import Any

import pytest
from reliability_faults import FAULTS, Hits, kind_of, ordinals
from reliability_refs import References
from reliability_report import write_result
from reliability_scenarios import SCENARIOS, Deployment, SqliteTemplate, deploy
from reliability_snapshot import take_snapshot

from hub.sync import dlq

pytestmark = pytest.mark.slow


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
    hits: Hits = plan.arm(deployment.tap, spec, ordinals())

    runs = deployment.run_until_quiet(limit=12)
    deployment.quiesce()
    deployment.disarm()
    failures: list[str] = []
    letters = dlq.list_letters(deployment.engine, limit=10_000)
    refused = [x for x in letters if (x["connector"], x["stage"]) == (spec.target, "write")]
    expected = reference.letters_before_retry.get(f"{spec.target}:write", 0)
    if fault == "partial-batch" and not len([x for x in refused if x["error"]]) > expected:
        failures.append(f"no refused row was dead-lettered with a reason: {letters}")
    caused = len(letters) - sum(reference.letters_before_retry.values())
    deployment.retry_letters()  # the retry job's turn (the reference had one too)
    runs += deployment.run_until_quiet()
    snapshot = take_snapshot(deployment)

    rule: Any = getattr(hits, "rule", None)
    if not (rule.done if rule is not None else hits.requests):
        failures.append(f"{fault} never happened on {spec.name}")
    differences = snapshot.differences(reference.snapshot)
    duplicates = [d for d in differences if d.startswith("remote[") and "x more" in d]
    failures += differences + [f"not synced, not dead-lettered: {u}" for u in snapshot.unaccounted]
    failures += [f"dead letter without a reason: {x}" for x in snapshot.silent_letters]
    if (fault.startswith("rate-limit") or fault == "server-errors") and not deployment.sleep.waits:
        failures.append("retries never waited (on the fake sleep)")
    if fault == "expired-credentials" and fault not in spec.notes:
        renewed = {kind_of(spec, m, p) for m, p in deployment.tap.log[hits.at[0] :] if hits.at}
        if "auth" not in renewed:
            failures.append("credentials died but the connector never logged in again")
    honours = plan.waits_for_vendor_hint and deployment.target.rate_limit_advertises_wait()
    if honours and 7.0 not in deployment.sleep.waits:
        failures.append(f"the vendor's 7 s wait was not honoured: {deployment.sleep.waits}")

    target_stats = [r.requests.get(spec.target, {}) for r in runs]
    write_result(
        "faults",
        f"{scenario}--{fault}",
        {
            "scenario": scenario,
            "fault": fault,
            "equal": not differences,
            "duplicates": len(duplicates),
            "lost": len(snapshot.unaccounted),
            "passed": not failures,
            "hit_kinds": [kind_of(spec, m, p) for m, p in hits.requests] or ["list"],
            "failed_runs": sum(1 for r in runs if r.error),
            "runs": [r.status for r in runs],
            "errors": [r.error for r in runs if r.error],
            "retries": sum(int(s.get("retries", 0)) for s in target_stats),
            "virtual_wait_seconds": round(sum(deployment.sleep.waits), 3),
            "letters_retried": max(0, caused),
            "letters": [f"{x['stream']} {x['stage']}: {x['error']}"[:200] for x in letters],
            "rewritten": getattr(rule, "done", None),
            "failures": failures[:20],
        },
    )
    assert failures == [], "\n".join(failures[:20])
