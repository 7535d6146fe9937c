"""Reading over real sockets: full reads, key-set paging, edits mid-read, index lag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from jira_support import Recording, connector, ids, read_all

from connectors.jira.records import parse_time
from connectors.jira.sandbox import JiraSandbox
from connectors.sdk import AuthError
from connectors.sdk.sandbox import SandboxServer


async def test_full_read_returns_every_milestone_once_and_completes_last(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    async with connector(server, page_size=7) as conn:
        pages = await read_all(conn, "milestones")
    got = ids(pages)
    assert sorted(got) == sorted(sandbox.remote_ids("milestones"))
    assert len(got) == len(set(got)) > 7 * 2
    assert pages[-1].complete
    assert not any(p.complete for p in pages[:-1])


async def test_records_are_normalised_the_same_on_both_flavours(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    async with connector(server) as conn:
        pages = await read_all(conn, "milestones")
    epics = sandbox.remote_ids("epics")
    for record in (r for p in pages for r in p.records):
        fields = record["fields"]
        updated = datetime.fromisoformat(fields["updated"])
        assert updated.tzinfo is not None, "times are aware ISO 8601"
        assert fields["parent"]["id"] in epics, "DC's Epic Link is mirrored into parent.id"
        assert isinstance(fields["description_text"], str)
        assert fields["status"]["statusCategory"]["key"] in ("new", "indeterminate", "done")


async def test_incremental_read_returns_only_what_changed(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    sandbox.clock.freeze(datetime.now(UTC) - timedelta(hours=3))
    seeded = sandbox.reset("milestones", 12)
    async with connector(server, page_size=5) as conn:
        first = await read_all(conn, "milestones")
        sandbox.clock.advance(120)
        sandbox.touch("milestones", [seeded[3], seeded[7]])
        second = await read_all(conn, "milestones", first[-1].cursor)
        third = await read_all(conn, "milestones", second[-1].cursor)
    assert sorted(ids(first)) == sorted(seeded)
    assert sorted(ids(second)) == sorted([seeded[3], seeded[7]])
    assert ids(third) == []
    assert not second[-1].complete, "an incremental read proves nothing about deletions"


async def test_an_issue_edited_mid_read_does_not_make_another_one_skipped(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    """Offset paging over ORDER BY updated skips an issue when an earlier one moves to the end."""
    sandbox.clock.freeze(datetime.now(UTC) - timedelta(hours=3))
    seeded = sandbox.reset("milestones", 30)
    seen: list[str] = []
    async with connector(server, page_size=5) as conn:
        async for page in conn.read("milestones"):
            seen += [str(r["id"]) for r in page.records]
            if len(seen) == 5:
                sandbox.clock.advance(1)
                sandbox.touch("milestones", [seen[0], seen[1]])
    assert set(seen) == set(seeded), f"lost {sorted(set(seeded) - set(seen))}"
    assert sorted(seen) == sorted([*seeded, seen[0], seen[1]]), "only the edited ones come twice"


async def test_more_issues_in_one_minute_than_a_page_are_paged_within_the_minute(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    sandbox.clock.freeze(datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC))
    many = sandbox.reset("milestones", 11)
    for n, rid in enumerate(many):  # eleven edits inside one minute
        issue = sandbox.issue_by_key(rid)
        assert issue is not None
        issue.updated = sandbox.clock.now() + timedelta(seconds=n * 5)
    log = Recording()
    async with connector(server, page_size=4, transport=log) as conn:
        pages = await read_all(conn, "milestones")
    assert sorted(ids(pages)) == sorted(many)
    assert len(ids(pages)) == 11
    assert [len(p.records) for p in pages] == [4, 4, 3]
    assert 'updated >= "2026/03/02 18:00"' in log.jql()[-1], "the literal is Shanghai time"


@pytest.mark.parametrize("flavour", ["cloud"])  # Data Center search is not eventually consistent
async def test_index_lag_is_covered_by_the_overlap_window(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    t0 = datetime.now(UTC) - timedelta(hours=1)
    sandbox.clock.freeze(t0)
    a, b, *_ = sandbox.reset("milestones", 4)
    async with connector(server, overlap_minutes=2) as conn:
        first = await read_all(conn, "milestones")
        sandbox.set_index_lag(90)
        sandbox.clock.advance(60)
        sandbox.touch("milestones", [a])  # search keeps serving the old version for 90 s
        sandbox.set_index_lag(0)
        sandbox.clock.advance(10)
        sandbox.touch("milestones", [b])
        second = await read_all(conn, "milestones", first[-1].cursor)
        sandbox.clock.advance(120)  # now A is indexed, older than the watermark B set
        third = await read_all(conn, "milestones", second[-1].cursor)
    assert ids(second) == [b]
    assert ids(third) == [a], "the overlap window must bring back the late-indexed edit"
    assert parse_time(third[0].records[0]["fields"]["updated"]) < parse_time(
        second[0].records[0]["fields"]["updated"]
    )


async def test_epics_stream_reads_contract_epics(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    async with connector(server) as conn:
        pages = await read_all(conn, "epics")
    records = [r for p in pages for r in p.records]
    assert sorted(str(r["id"]) for r in records) == sorted(sandbox.remote_ids("epics"))
    assert all(any(lb.startswith("contract-") for lb in r["fields"]["labels"]) for r in records)
    assert {r["fields"]["issuetype"]["name"] for r in records} == {"Epic"}


@pytest.mark.parametrize("sandbox_options", [{"anonymous_access": True}])
async def test_bad_credentials_on_an_anonymous_site_fail_instead_of_reading_nothing(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    """Search answers anonymous callers with no issues; /myself first makes that an AuthError."""
    config = sandbox.bad_credentials_config(server.url)
    bad = dict(config.items())
    async with connector(server, **bad) as conn:
        with pytest.raises(AuthError) as caught:
            await read_all(conn, "milestones")
    secret = config.get("api_token") or config.get("pat")
    assert secret not in str(caught.value)


async def test_a_read_from_the_newest_cursor_repeats_nothing_from_the_floor_minute(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    """The literal floors to the minute: ids seen in that minute must still be remembered."""
    sandbox.clock.freeze(datetime(2026, 3, 2, 10, 6, 0, tzinfo=UTC))
    seeded = sandbox.reset("milestones", 3)
    for rid, second in zip(seeded, (1, 30, 63), strict=True):  # 10:04:01, 10:04:30, 10:05:03
        issue = sandbox.issue_by_key(rid)
        assert issue is not None
        issue.updated = datetime(2026, 3, 2, 10, 4, 0, tzinfo=UTC) + timedelta(seconds=second)
    log = Recording()
    async with connector(server, overlap_minutes=1, transport=log) as conn:
        first = await read_all(conn, "milestones")
        again = await read_all(conn, "milestones", first[-1].cursor)
    assert sorted(ids(first)) == sorted(seeded)
    assert 'updated >= "2026/03/02 18:04"' in log.jql()[-1]  # 10:05:03 - 1 min, floored
    assert ids(again) == [], "the issue at 10:04:01 was read again"
