"""A create whose answer a crash swallowed is read back before it is linked.

Kill the pipeline right after the project tool answered a batch of creates (the
issues or executions exist, nothing is recorded). The next run pulls first: the
new records come back unlinked and, matched by contract, are held as ambiguous
twins; then the push looks the in-doubt creates up by their hub keys and links
them. By then the held questions are answered and must be closed (settled by the
sync, audited), not left for a person; what the pull read while they were held
(the vendor's own fields, ZenTao's execution id) must still be applied, and the
vendor's defaults for fields the create did not send (a new execution's ``wait``)
are no edits, as for a create whose answer arrived. In the end the stores equal
the fault-free run.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from reliability_crash import child, forkserver
from reliability_refs import References
from reliability_scenarios import PIPELINES, Deployment, SqliteTemplate, deploy
from reliability_snapshot import take_snapshot
from sqlalchemy import select

from hub.sync import repo

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("pipeline", "kill_at"),
    [("crm-jira", "write:2"), ("crm-zentao", "write:2")],
    ids=["jira-milestone-issues", "zentao-executions"],
)
def test_records_created_before_a_crash_are_linked_settled_and_read(
    pipeline: str,
    kill_at: str,
    references: References,
    sqlite_template: SqliteTemplate,
    deployed: list[Deployment],
    tmp_path: Path,
) -> None:
    deployment = deploy(PIPELINES[pipeline], tmp_path, sqlite_template)
    deployed.append(deployment)
    attempt = forkserver().Process(target=child, args=(str(deployment.config_file), kill_at))
    attempt.start()
    attempt.join(timeout=120)
    assert attempt.exitcode == -signal.SIGKILL

    deployment.run()
    with deployment.engine.connect() as conn:
        links = conn.execute(select(repo.LINK)).mappings()
        linked = {(x["connector"], x["entity"], str(x["remote_id"])) for x in links}
        query = select(repo.CONFLICT).where(repo.CONFLICT.c.kind == "match")
        matches = [dict(x) for x in conn.execute(query).mappings()]
    about_linked = [
        x for x in matches if (x["connector"], x["entity"], str(x["remote_id"])) in linked
    ]
    assert about_linked, f"no orphan was held: {kill_at} no longer hits the create batch"
    stale = [x["id"] for x in about_linked if x["status"] == "open"]
    assert stale == [], "held as ambiguous although linked since"
    assert {x["resolved_by"] for x in about_linked} == {"sync"}

    deployment.run_until_quiet()
    deployment.retry_letters()
    deployment.run_until_quiet()
    reference = references.get(PIPELINES[pipeline].name)
    problems = take_snapshot(deployment).differences(reference.snapshot)
    assert problems == [], "\n".join(problems[:20])
