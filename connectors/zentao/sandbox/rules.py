"""ZenTao's validation rules and messages (zh-cn language pack), per object.

Two ways a create can be refused, as in ZenTao: a required field *absent* from
the request is caught by the API entry (``requireFields``) with a plain string;
a field present but empty, a duplicate or a date out of order is caught by the
model's DAO checks, whose messages come back as an object of field -> [messages].
"""

from __future__ import annotations

from typing import Any

NOT_EMPTY = "『{}』不能为空。"
UNIQUE = "『{}』已经有『{}』这条记录了。如果您确定该记录已删除，请到后台-系统-数据-回收站还原。"
GREATER = "『{}』应当大于『{}』。"
GE_PROJECT_BEGIN = "『{}』应当大于等于项目的开始日期『{}』。"
LE_PROJECT_END = "『{}』应当小于等于项目的结束日期『{}』。"
LOGIN_FAILED = "登录失败，请检查您的用户名或密码是否填写正确。"
LOCK_WARNING = "您还有{}次尝试机会。"
LOGIN_LOCKED = "密码尝试次数太多，请联系管理员解锁，或{}分钟后重试。"

LABELS: dict[str, dict[str, str]] = {
    "projects": {
        "name": "项目名称",
        "code": "项目代号",
        "begin": "计划开始",
        "end": "计划完成",
        "products": "关联产品",
        "days": "可用工作日",
    },
    "executions": {
        "name": "执行名称",
        "code": "执行代号",
        "begin": "计划开始",
        "end": "计划完成",
        "days": "可用工作日",
        "project": "所属项目",
    },
    "stories": {"title": "需求名称", "spec": "需求描述", "pri": "优先级", "category": "类型"},
    "tasks": {
        "name": "任务名称",
        "assignedTo": "指派给",
        "type": "任务类型",
        "estStarted": "预计开始",
        "deadline": "截止日期",
        "estimate": "最初预计",
    },
    "plans": {"title": "名称", "begin": "开始日期", "end": "结束日期"},
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "projects": ("name", "code", "begin", "end", "products"),
    "executions": ("name", "code", "begin", "end", "days"),
    "stories": ("title", "spec", "pri", "category"),
    "tasks": ("name", "assignedTo", "type", "estStarted", "deadline"),
    "plans": ("title",),
}
TASK_TYPES = ("design", "devel", "request", "test", "study", "discuss", "ui", "affair", "misc")
TASK_STATUS = ("wait", "doing", "done", "pause", "cancel", "closed")
STORY_CATEGORIES = (
    "feature",
    "interface",
    "performance",
    "safe",
    "experience",
    "improve",
    "other",
)


class Refused(Exception):
    """A request ZenTao refuses; ``error`` is the body's ``error`` value (string or object)."""

    def __init__(self, error: Any, status: int = 400) -> None:
        super().__init__(str(error))
        self.error = error
        self.status = status


def label(kind: str, field: str) -> str:
    """The localized name ZenTao puts in its messages."""
    return LABELS.get(kind, {}).get(field, field)


def require_present(kind: str, body: dict[str, Any]) -> None:
    """``requireFields``: the first required field absent from the body, as a string error."""
    for field in REQUIRED[kind]:
        if field not in body or body[field] is None:
            raise Refused(NOT_EMPTY.format(label(kind, field)))


def check_filled(kind: str, body: dict[str, Any], fields: tuple[str, ...]) -> dict[str, list[str]]:
    """DAO ``notempty`` checks: every listed field present but blank, per field."""
    problems: dict[str, list[str]] = {}
    for field in fields:
        value = body.get(field)
        if field in body and (value in ("", [], 0, "0") or value is None):
            problems.setdefault(field, []).append(NOT_EMPTY.format(label(kind, field)))
    return problems


def check_dates(kind: str, body: dict[str, Any], problems: dict[str, list[str]]) -> None:
    """``end`` after ``begin`` (as ZenTao compares the strings)."""
    begin, end = str(body.get("begin") or ""), str(body.get("end") or "")
    if begin and end and end < begin:
        problems.setdefault("end", []).append(GREATER.format(label(kind, "end"), begin))


def check_unique(
    kind: str,
    field: str,
    value: Any,
    rows: list[dict[str, Any]],
    problems: dict[str, list[str]],
    *,
    skip_id: int | None = None,
) -> None:
    """A value that must be unique among live rows (project code and name, execution code)."""
    if value in (None, ""):
        return
    for row in rows:
        if row.get("id") != skip_id and str(row.get(field)) == str(value):
            problems.setdefault(field, []).append(UNIQUE.format(label(kind, field), value))
            return
