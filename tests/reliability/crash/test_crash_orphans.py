"""A create whose answer a crash swallowed is read back before it is linked: no stale question.

Kill the CRM -> Jira pipeline right after Jira answered its second write batch
(milestone issues created, nothing recorded). The next run pulls first: the new
issues come back unlinked and, matched by contract, are held as ambiguous twins;
then the push looks the in-doubt creates up by their hub-id labels and links them.
The held questions are answered by then and must be closed (``settled`` by the
sync, audited), not left for a person who could only make things worse; and the
pipeline still ends where the fault-free run does.
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


def test_issues_created_before_a_crash_are_linked_and_their_held_matches_settled(
    references: References,
    sqlite_template: SqliteTemplate,
    deployed: list[Deployment],
    tmp_path: Path,
) -> None:
    deployment = deploy(PIPELINES["crm-jira"], tmp_path, sqlite_template)
    deployed.append(deployment)
    attempt = forkserver().Process(target=child, args=(str(deployment.config_file), "write:2"))
    attempt.start()
    attempt.join(timeout=120)
    assert attempt.exitcode == -signal.SIGKILL

    deployment.run()
    with deployment.engine.connect() as conn:
        linked = {
            (x["connector"], str(x["remote_id"]))
            for x in conn.execute(select(repo.LINK)).mappings()
        }
        matches = [
            dict(x)
            for x in conn.execute(
                select(repo.CONFLICT).where(repo.CONFLICT.c.kind == "match")
            ).mappings()
        ]
    about_linked = [x for x in matches if (x["connector"], str(x["remote_id"])) in linked]
    assert about_linked, "no orphan was held: the kill point no longer hits the milestone batch"
    stale = [x["id"] for x in about_linked if x["status"] == "open"]
    assert stale == [], "held as ambiguous although linked since"
    assert {x["resolved_by"] for x in about_linked} == {"sync"}

    deployment.run_until_quiet()
    deployment.retry_letters()
    deployment.run_until_quiet()
    problems = take_snapshot(deployment).differences(references.get("jira").snapshot)
    assert problems == [], "\n".join(problems[:20])
