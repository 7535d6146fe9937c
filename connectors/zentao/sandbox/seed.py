"""The shared fake business rendered as a ZenTao installation.

Each contract is a project (code = contract number) and a product plan; each
milestone an execution with a couple of tasks, and a story whose stage follows
the milestone's delivery. Nothing here carries a hub key: these records were
made by people in ZenTao, which is what ``lookup`` and matching must cope with.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from connectors.sdk.fakedata import FakeContract, FakeMilestone, Universe
from connectors.zentao.sandbox.store import ZERO_DATE, ZERO_TIME, Store

USERS = (
    ("admin", "管理员", ""),
    ("sync-bot", "同步机器人", "others"),
    ("zhangwei", "张伟", "pm"),
    ("lina", "李娜", "dev"),
    ("wangfang", "王芳", "dev"),
    ("liuyang", "刘洋", "qa"),
    ("chenjie", "陈杰", "dev"),
    ("zhaomin", "赵敏", "po"),
)
STAFF = tuple(u[0] for u in USERS[2:])

_EXECUTION_STATUS = {
    "planned": "wait",
    "in_progress": "doing",
    "delivered": "doing",
    "accepted": "closed",
}
_STORY_STAGE = {
    "planned": "planned",
    "in_progress": "developing",
    "delivered": "verified",
    "accepted": "closed",
}
_TASK_NAMES = ("需求分析", "开发实施", "联调测试", "验收支持")


def stamp(store: Store, day: date, hour: int = 10, minute: int = 0) -> str:
    """A server-local timestamp on ``day``."""
    return store.local(datetime.combine(day, time(hour, minute), tzinfo=store.zone))


def seed_users(store: Store, password: str, account: str) -> None:
    """The fixed staff, plus the API account the sandbox hands out."""
    for login, realname, role in USERS:
        store.insert(
            "users",
            {
                "account": login,
                "realname": realname,
                "role": role,
                "dept": 1 if role else 0,
                "email": f"{login}@example.cn",
                "deleted": "0",
            },
        )
    if account not in {u[0] for u in USERS}:
        store.insert(
            "users",
            {
                "account": account,
                "realname": account,
                "role": "others",
                "dept": 0,
                "email": "",
                "deleted": "0",
            },
        )
    store.passwords = {row["account"]: password for row in store.tables["users"].values()}


def seed_products(store: Store, opened: str) -> None:
    """The delivery product every contract's work hangs under, and one more."""
    for name, code in (("区块链交付", "delivery"), ("BaaS 平台", "baas")):
        store.insert(
            "products",
            {
                "program": 0,
                "name": name,
                "code": code,
                "line": 0,
                "type": "normal",
                "status": "normal",
                "desc": "",
                "PO": "zhaomin",
                "QD": "liuyang",
                "RD": "zhangwei",
                "acl": "open",
                "createdBy": "admin",
                "createdDate": opened,
                "order": 5 * (len(store.tables["products"]) + 1),
                "deleted": "0",
            },
        )


def project_row(
    store: Store, *, name: str, code: str, begin: str, end: str, opened: str, **extra: Any
) -> dict[str, Any]:
    """A project row with every column ZenTao's ``zt_project`` has, defaults as ZenTao sets them."""
    row: dict[str, Any] = {
        "project": 0,
        "model": "scrum",
        "type": "project",
        "lifetime": "",
        "budget": "0",
        "budgetUnit": "CNY",
        "attribute": "",
        "percent": 0,
        "milestone": "0",
        "output": "",
        "auth": "extend",
        "parent": 0,
        "path": "",
        "grade": 1,
        "name": name,
        "code": code,
        "begin": begin,
        "end": end,
        "realBegan": ZERO_DATE,
        "realEnd": ZERO_DATE,
        "days": 0,
        "status": "wait",
        "subStatus": "",
        "pri": "1",
        "desc": "",
        "version": 0,
        "parentVersion": 0,
        "planDuration": 0,
        "realDuration": 0,
        "openedBy": "admin",
        "openedDate": opened,
        "openedVersion": "18.5",
        "lastEditedBy": "admin",
        "lastEditedDate": opened,
        "closedBy": "",
        "closedDate": ZERO_TIME,
        "canceledBy": "",
        "canceledDate": ZERO_TIME,
        "PO": "",
        "PM": "",
        "QD": "",
        "RD": "",
        "team": name,
        "acl": "private",
        "whitelist": ",",
        "order": 0,
        "deleted": "0",
    }
    row.update(extra)
    return row


def task_row(store: Store, **values: Any) -> dict[str, Any]:
    """A task row with ZenTao's ``zt_task`` columns."""
    row: dict[str, Any] = {
        "project": 0,
        "parent": 0,
        "execution": 0,
        "module": 0,
        "design": 0,
        "story": 0,
        "storyVersion": 1,
        "fromBug": 0,
        "name": "",
        "type": "devel",
        "pri": 3,
        "estimate": Decimal(0),
        "consumed": Decimal(0),
        "left": Decimal(0),
        "deadline": ZERO_DATE,
        "status": "wait",
        "subStatus": "",
        "color": "",
        "mailto": "",
        "desc": "",
        "version": 1,
        "openedBy": "admin",
        "openedDate": ZERO_TIME,
        "assignedTo": "",
        "assignedDate": ZERO_TIME,
        "estStarted": ZERO_DATE,
        "realStarted": ZERO_TIME,
        "finishedBy": "",
        "finishedDate": ZERO_TIME,
        "finishedList": "",
        "canceledBy": "",
        "canceledDate": ZERO_TIME,
        "closedBy": "",
        "closedDate": ZERO_TIME,
        "planDuration": 0,
        "realDuration": 0,
        "closedReason": "",
        "lastEditedBy": "",
        "lastEditedDate": ZERO_TIME,
        "activatedDate": ZERO_DATE,
        "deleted": "0",
    }
    row.update(values)
    return row


def story_row(store: Store, **values: Any) -> dict[str, Any]:
    """A story row (``zt_story`` joined with its current ``zt_storyspec``)."""
    row: dict[str, Any] = {
        "parent": 0,
        "product": 1,
        "branch": 0,
        "module": 0,
        "plan": "",
        "source": "",
        "sourceNote": "",
        "fromBug": 0,
        "title": "",
        "keywords": "",
        "type": "story",
        "category": "feature",
        "pri": 3,
        "estimate": Decimal(0),
        "status": "active",
        "subStatus": "",
        "color": "",
        "stage": "wait",
        "stagedBy": "",
        "mailto": "",
        "openedBy": "admin",
        "openedDate": ZERO_TIME,
        "assignedTo": "",
        "assignedDate": ZERO_TIME,
        "lastEditedBy": "",
        "lastEditedDate": ZERO_TIME,
        "reviewedBy": "",
        "reviewedDate": ZERO_TIME,
        "closedBy": "",
        "closedDate": ZERO_TIME,
        "closedReason": "",
        "toBug": 0,
        "childStories": "",
        "linkStories": "",
        "duplicateStory": 0,
        "version": 1,
        "deleted": "0",
        "spec": "",
        "verify": "",
    }
    row.update(values)
    return row


def plan_row(store: Store, **values: Any) -> dict[str, Any]:
    """A product plan row (``zt_productplan``; no edit timestamps, as in ZenTao)."""
    row: dict[str, Any] = {
        "product": 1,
        "branch": 0,
        "parent": 0,
        "title": "",
        "status": "wait",
        "desc": "",
        "begin": ZERO_DATE,
        "end": ZERO_DATE,
        "order": "",
        "createdBy": "admin",
        "createdDate": ZERO_TIME,
        "closedReason": "",
        "deleted": "0",
    }
    row.update(values)
    return row


def seed_contract(store: Store, rng: random.Random, contract: FakeContract, today: date) -> None:
    """One contract as a plan, a project, executions with tasks, and stories."""
    opened = stamp(store, contract.sign_date, 9 + rng.randint(0, 8), rng.randint(0, 59))
    edited_day = min(
        today - timedelta(days=1), contract.sign_date + timedelta(days=rng.randint(1, 60))
    )
    edited = stamp(store, max(edited_day, contract.sign_date), 18, rng.randint(0, 59))
    title = f"{contract.number} {contract.title}"
    plan = store.insert(
        "plans",
        plan_row(
            store,
            title=title,
            status="done" if contract.status == "completed" else "doing",
            desc=f"<p>合同 {contract.number}</p>",
            begin=contract.start_date.isoformat(),
            end=contract.end_date.isoformat(),
            createdDate=opened,
        ),
    )
    done = contract.status == "completed"
    project = store.insert(
        "projects",
        project_row(
            store,
            name=title,
            code=contract.number,
            begin=contract.start_date.isoformat(),
            end=contract.end_date.isoformat(),
            opened=opened,
            budget=str(contract.amount),
            status="closed" if done else ("doing" if contract.start_date <= today else "wait"),
            realBegan=contract.start_date.isoformat(),
            PM=rng.choice(STAFF),
            desc=f"<p>合同编号：{contract.number}</p>",
            lastEditedDate=edited,
            closedBy="zhangwei" if done else "",
            closedDate=edited if done else ZERO_TIME,
        ),
    )
    project["path"] = f",{project['id']},"
    project["order"] = project["id"] * 5
    store.project_products[project["id"]] = [1]
    begin = contract.start_date
    for index, milestone in enumerate(contract.milestones):
        seed_milestone(store, rng, project, plan, milestone, index, begin, today)
        begin = milestone.due_date


def seed_milestone(
    store: Store,
    rng: random.Random,
    project: dict[str, Any],
    plan: dict[str, Any],
    milestone: FakeMilestone,
    index: int,
    begin: date,
    today: date,
) -> None:
    """An execution (with tasks) and a story for one milestone."""
    status = _EXECUTION_STATUS[milestone.status]
    opened = project["openedDate"]
    closed = stamp(store, min(today, milestone.due_date + timedelta(days=3)), 17)
    execution = store.insert(
        "executions",
        project_row(
            store,
            name=milestone.name,
            code=f"{project['code']}-{index + 1}",
            begin=begin.isoformat(),
            end=milestone.due_date.isoformat(),
            opened=opened,
            type="sprint",
            lifetime="short",
            model="",
            project=project["id"],
            parent=project["id"],
            status=status,
            days=max(1, (milestone.due_date - begin).days * 5 // 7),
            PM=project["PM"],
            lastEditedDate=closed if status == "closed" else opened,
            closedBy="zhangwei" if status == "closed" else "",
            closedDate=closed if status == "closed" else ZERO_TIME,
        ),
    )
    execution["path"] = f",{project['id']},{execution['id']},"
    execution["order"] = execution["id"] * 5
    stage = _STORY_STAGE[milestone.status]
    story = store.insert(
        "stories",
        story_row(
            store,
            product=1,
            plan=str(plan["id"]),
            title=f"{project['code']} {milestone.name}",
            spec=f"<p>{milestone.name}：{milestone.percent}% 合同款</p>",
            verify="<p>客户签署验收单</p>",
            sourceNote=f"CRM:{project['code']}",
            source="customer",
            pri=2,
            estimate=Decimal(rng.randint(8, 80)),
            stage=stage,
            status="closed" if stage == "closed" else "active",
            openedDate=opened,
            assignedTo="zhaomin",
            assignedDate=opened,
            closedBy="zhaomin" if stage == "closed" else "",
            closedDate=closed if stage == "closed" else ZERO_TIME,
            closedReason="done" if stage == "closed" else "",
            lastEditedBy="zhaomin" if stage != "planned" else "",
            lastEditedDate=closed if stage != "planned" else ZERO_TIME,
        ),
    )
    for n in range(rng.randint(1, 3)):
        seed_task(store, rng, execution, story, milestone.status, n, begin)


def seed_task(
    store: Store,
    rng: random.Random,
    execution: dict[str, Any],
    story: dict[str, Any],
    delivery: str,
    n: int,
    begin: date,
) -> None:
    """A task whose status and hours agree with the milestone's delivery state."""
    estimate = Decimal(rng.randint(4, 40))
    if delivery == "planned":
        status, consumed, left = "wait", Decimal(0), estimate
    elif delivery == "in_progress":
        status = ("doing", "wait", "done")[n % 3]
        consumed = {"doing": estimate / 2, "wait": Decimal(0), "done": estimate}[status]
        left = estimate - consumed
    else:
        status = "closed" if delivery == "accepted" else "done"
        consumed, left = estimate, Decimal(0)
    who = rng.choice(STAFF)
    started = status != "wait"
    finished = status in ("done", "closed")
    store.insert(
        "tasks",
        task_row(
            store,
            project=execution["project"],
            execution=execution["id"],
            story=story["id"],
            name=_TASK_NAMES[n % len(_TASK_NAMES)],
            type=("design", "devel", "test", "affair")[n % 4],
            estimate=estimate,
            consumed=consumed,
            left=left,
            deadline=execution["end"],
            estStarted=begin.isoformat(),
            status=status,
            openedDate=execution["openedDate"],
            assignedTo=who,
            assignedDate=execution["openedDate"],
            realStarted=execution["openedDate"] if started else ZERO_TIME,
            finishedBy=who if finished else "",
            finishedDate=execution["lastEditedDate"] if finished else ZERO_TIME,
            closedBy="zhangwei" if status == "closed" else "",
            closedDate=execution["closedDate"] if status == "closed" else ZERO_TIME,
            closedReason="done" if status == "closed" else "",
            lastEditedBy=who if started else "",
            lastEditedDate=execution["lastEditedDate"] if started else ZERO_TIME,
        ),
    )


def seed_universe(store: Store, universe: Universe, seed: int, today: date) -> None:
    """Every contract of ``universe``, in signing order."""
    rng = random.Random(seed)
    for contract in sorted(universe.contracts, key=lambda c: (c.sign_date, c.number)):
        seed_contract(store, rng, contract, today)
