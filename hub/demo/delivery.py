"""The delivery team's part of the demo: finishing some milestones in the project tool.

After the first ``crm-delivery`` sync every open CRM milestone is an issue (Jira)
or an execution (ZenTao). The team then works in its own tool the way people do
there -- walking Jira issues through the workflow to Done (resolution Done:
accepted by the customer; Delivered: handed over, acceptance pending), closing
ZenTao executions -- through each sandbox's person-like hook, never through the
hub's connector, so the next sync has real delivery news for the CRM and finance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from hub.model.enums import MilestoneStatus
from hub.sync import repo

OPEN = (MilestoneStatus.PLANNED.value, MilestoneStatus.IN_PROGRESS.value)
Work = Callable[[Any, str], None]
"""(sandbox, remote id) -> the person's action in the tool."""


def _jira_accept(sandbox: Any, remote_id: str) -> None:
    sandbox.work_on(remote_id, "Done", "Done")


def _jira_deliver(sandbox: Any, remote_id: str) -> None:
    sandbox.work_on(remote_id, "Done", "Delivered")


def _zentao_accept(sandbox: Any, remote_id: str) -> None:
    sandbox.close_execution(remote_id)


ACCEPT: dict[str, Work] = {"jira": _jira_accept, "zentao": _zentao_accept}
DELIVER: dict[str, Work] = {"jira": _jira_deliver}
"""ZenTao calls an execution delivered when its tasks' hours are burnt down; the
hub creates executions without tasks, so the demo only closes them there."""


@dataclass(frozen=True, slots=True)
class DeliveryNews:
    """What the team did: remote ids accepted and delivered."""

    accepted: list[str]
    delivered: list[str]


def open_milestones(engine: Engine, instance: str) -> list[str]:
    """Remote ids (in the project tool ``instance``) of open milestones, earliest due first."""
    table = repo.entity_table("milestone")
    with engine.connect() as conn:
        rows = conn.execute(
            select(repo.LINK.c.remote_id)
            .join(table, table.c.id == repo.LINK.c.hub_id)
            .where(
                repo.LINK.c.connector == instance,
                repo.LINK.c.entity == "milestone",
                table.c.status.in_(OPEN),
                table.c.deleted_at.is_(None),
            )
            .order_by(table.c.due_date, table.c.id)
        )
        return [str(r[0]) for r in rows]


def finish_some(
    engine: Engine, sandbox: Any, tool: str, instance: str, *, accept: int, deliver: int
) -> DeliveryNews:
    """Accept ``accept`` and deliver ``deliver`` of the earliest-due open milestones in the tool."""
    candidates = open_milestones(engine, instance)
    accepted = candidates[:accept]
    delivered = candidates[accept : accept + deliver] if tool in DELIVER else []
    for remote_id in accepted:
        ACCEPT[tool](sandbox, remote_id)
    for remote_id in delivered:
        DELIVER[tool](sandbox, remote_id)
    return DeliveryNews(accepted, delivered)
