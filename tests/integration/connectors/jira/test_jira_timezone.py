"""The time-zone test: JQL dates are minutes in the user's profile zone (Asia/Shanghai here).

An update at 23:59:30 local time, in the same second as the watermark and after
the read that set it, must come back on the next incremental read -- also when
that read runs after midnight, and when the user's profile zone changed meanwhile.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from jira_support import Recording, connector, ids, read_all

from connectors.jira.sandbox import JiraSandbox
from connectors.sdk.sandbox import SandboxServer

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def sandbox_options() -> dict[str, str]:
    return {"time_zone": "Asia/Shanghai"}


async def test_update_at_235930_shanghai_is_not_lost(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    sandbox.clock.freeze(datetime(2026, 6, 30, 23, 50, 0, tzinfo=SHANGHAI))
    a, b, c = sandbox.reset("milestones", 3)
    sandbox.clock.freeze(datetime(2026, 6, 30, 23, 59, 30, tzinfo=SHANGHAI))
    sandbox.touch("milestones", [a])  # the watermark: 23:59:30 local
    log = Recording()
    async with connector(server, overlap_minutes=1, transport=log) as conn:
        first = await read_all(conn, "milestones")
        sandbox.touch("milestones", [b])  # same second, after the read
        sandbox.clock.advance(35)  # 00:00:05 on 1 July, local
        second = await read_all(conn, "milestones", first[-1].cursor)
    assert sorted(ids(first)) == sorted([a, b, c])
    assert ids(second) == [b], "the 23:59:30 update was lost at the boundary"
    touched = second[0].records[0]["fields"]["updated"]
    assert datetime.fromisoformat(touched) == datetime(2026, 6, 30, 23, 59, 30, tzinfo=SHANGHAI)
    # 23:59:30 minus the one-minute overlap, shown in Shanghai time and floored
    assert 'updated >= "2026/06/30 23:58"' in log.jql()[-1]


async def test_changing_the_profile_zone_between_reads_loses_nothing(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    """The cursor is an instant; the literal is recomputed in whatever zone /myself says now."""
    sandbox.clock.freeze(datetime(2026, 6, 30, 23, 58, 0, tzinfo=SHANGHAI))
    a, b = sandbox.reset("milestones", 2)
    sandbox.clock.freeze(datetime(2026, 6, 30, 23, 59, 30, tzinfo=SHANGHAI))
    sandbox.touch("milestones", [a])
    log = Recording()
    async with connector(server, overlap_minutes=1, transport=log) as conn:
        first = await read_all(conn, "milestones")
        sandbox.touch("milestones", [b])
        sandbox.set_time_zone("America/Los_Angeles")  # 16 hours behind Shanghai in June
        second = await read_all(conn, "milestones", first[-1].cursor)
    assert ids(second) == [b]
    assert 'updated >= "2026/06/30 08:58"' in log.jql()[-1]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Pacific/Kiritimati", "Etc/GMT+12"])
async def test_the_literal_always_includes_the_watermark_minute(
    sandbox: JiraSandbox, server: SandboxServer, zone: str
) -> None:
    """Whatever the user's zone, an edit 30 s after the watermark minute starts is read."""
    sandbox.set_time_zone(zone)
    local = ZoneInfo(zone)
    start = datetime(2026, 12, 31, 23, 59, 0, tzinfo=local)
    sandbox.clock.freeze(start - timedelta(minutes=5))
    (a,) = sandbox.reset("milestones", 1)
    sandbox.clock.freeze(start + timedelta(seconds=30))
    sandbox.touch("milestones", [a])
    async with connector(server, overlap_minutes=1) as conn:
        first = await read_all(conn, "milestones")
        sandbox.touch("milestones", [a])  # edited again in the same second
        sandbox.clock.advance(60)
        sandbox.touch("milestones", [a])  # and again a minute later (new year, locally)
        second = await read_all(conn, "milestones", first[-1].cursor)
    assert ids(first) == [a]
    assert ids(second) == [a]
