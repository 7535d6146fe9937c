"""A create the vendor may still be making (it timed out) is never sent twice.

Jira does not dedupe creates. When its bulk create times out and the issues have
not appeared after the connector's settle window, the records are reported with
an unknown outcome: the hub keeps their write intents, and the next push looks
them up by key before sending anything.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from e2e_support import Hub
from sqlalchemy import select

from connectors.sdk import OUTCOME_UNKNOWN
from hub.demo.run import DELIVERY_PIPELINE, PM
from hub.sync import dlq, repo


def epic_numbers(hub: Hub) -> Counter[str]:
    sandbox = hub.pm.sandbox
    records = [sandbox.get_record("epics", rid) for rid in sandbox.remote_ids("epics")]
    return Counter(
        label
        for r in records
        if r
        for label in r["fields"]["labels"]
        if label.startswith("contract-")
    )


def test_a_timed_out_create_is_looked_up_not_resent(hub: Hub) -> None:
    hub.run()  # CRM and finance first: contracts exist in the hub
    config = hub.settings.connectors[PM].config
    hub.settings.connectors[PM] = hub.settings.connectors[PM].model_copy(
        update={"config": {**config, "http": {"timeout": 0.2, "max_attempts": 2}}}
    )
    slow = hub.pm.sandbox.faults.inject(
        "timeout", times=1, path="/issue/bulk", seconds=4.0, complete=True
    )

    first = hub.run(DELIVERY_PIPELINE)

    assert first.counts[f"{PM}.epics"].push_failed > 0
    letters = [
        x
        for x in dlq.list_letters(hub.demo.engine)
        if x["connector"] == PM and x["stream"] == "epics"
    ]
    assert letters
    assert all(x["payload"]["vendor_code"] == OUTCOME_UNKNOWN for x in letters)
    with hub.demo.engine.connect() as conn:
        intents = (
            conn.execute(select(repo.INTENT.c.hub_id).where(repo.INTENT.c.connector == PM))
            .scalars()
            .all()
        )
    assert {x["hub_id"] for x in letters} <= set(intents)  # still in doubt, not settled

    expected = len(letters)
    assert slow.served.wait(timeout=20), "the slow create never finished"
    assert sum(epic_numbers(hub).values()) >= expected

    report = asyncio.run(
        dlq.retry(hub.settings, hub.demo.engine, [x["id"] for x in letters], actor="test")
    )

    assert sorted(report.resolved) == sorted(x["id"] for x in letters)
    counts = epic_numbers(hub)
    assert counts
    assert max(counts.values()) == 1, counts  # every contract's epic exists once


def test_a_create_that_finishes_soon_after_its_timeout_is_found_and_linked(hub: Hub) -> None:
    hub.run()
    config = hub.settings.connectors[PM].config
    hub.settings.connectors[PM] = hub.settings.connectors[PM].model_copy(
        update={"config": {**config, "http": {"timeout": 0.2, "max_attempts": 2}}}
    )
    hub.pm.sandbox.faults.inject("timeout", times=1, path="/issue/bulk", seconds=0.6, complete=True)

    result = hub.run(DELIVERY_PIPELINE)

    epics = result.counts[f"{PM}.epics"]
    assert (epics.push_failed, epics.pushed_created) == (0, sum(epic_numbers(hub).values()))
    assert max(epic_numbers(hub).values()) == 1
