"""Field catalogue per stream for ``discover()``: names, types and value lists from ZenTao's v1 docs.

Declared rather than probed: v1 has no metadata endpoint, and a mapping author
needs the status and stage values (which vary by release) more than anything.
"""

from __future__ import annotations

from connectors.sdk import FieldInfo

PROJECT_STATUS = ("wait", "doing", "suspended", "closed")
EXECUTION_STATUS = PROJECT_STATUS
STORY_STATUS = ("draft", "reviewing", "active", "changing", "closed")
STORY_STAGE = (
    "wait",
    "planned",
    "projected",
    "designing",
    "designed",
    "developing",
    "developed",
    "testing",
    "tested",
    "verified",
    "rejected",
    "delivering",
    "delivered",
    "released",
    "closed",
)
TASK_STATUS = ("wait", "doing", "done", "pause", "cancel", "closed")
TASK_TYPE = ("design", "devel", "request", "test", "study", "discuss", "ui", "affair", "misc")
PLAN_STATUS = ("wait", "doing", "done", "closed")


def _f(name: str, type_: str, label: str, **kw: object) -> FieldInfo:
    return FieldInfo(name, type_, label, **kw)  # type: ignore[arg-type]


_COMMON = (
    _f("id", "integer", "ID", read_only=True),
    _f("openedBy", "user", "Created by", read_only=True),
    _f("openedDate", "datetime", "Created", read_only=True),
    _f("lastEditedBy", "user", "Last edited by", read_only=True),
    _f("lastEditedDate", "datetime", "Last edited", read_only=True),
    _f("deleted", "boolean", "Deleted", read_only=True),
)

FIELDS: dict[str, tuple[FieldInfo, ...]] = {
    "projects": (
        *_COMMON,
        _f("name", "string", "项目名称", required=True),
        _f("code", "string", "项目代号 (unique)", required=True),
        _f("begin", "date", "计划开始", required=True),
        _f("end", "date", "计划完成", required=True),
        _f("products", "list", "关联产品", required=True),
        _f("budget", "decimal", "预算"),
        _f("budgetUnit", "string", "预算币种", options=("CNY", "USD")),
        _f("model", "string", "项目模型", options=("scrum", "waterfall", "kanban")),
        _f("PM", "user", "项目负责人"),
        _f("desc", "html", "项目描述 (holds the hub key marker)"),
        _f("status", "string", "状态", read_only=True, options=PROJECT_STATUS),
        _f("progress", "decimal", "进度 %", read_only=True),
    ),
    "executions": (
        *_COMMON,
        _f("project", "integer", "所属项目", required=True, reference="projects"),
        _f("name", "string", "执行名称", required=True),
        _f("code", "string", "执行代号 (unique)", required=True),
        _f("begin", "date", "计划开始", required=True),
        _f("end", "date", "计划完成", required=True),
        _f("days", "integer", "可用工作日", required=True),
        _f("desc", "html", "描述 (holds the hub key marker)"),
        _f("status", "string", "状态", read_only=True, options=EXECUTION_STATUS),
        _f("progress", "decimal", "进度 %", read_only=True),
        _f("closedDate", "datetime", "关闭日期", read_only=True),
    ),
    "plans": (
        _f("id", "integer", "ID", read_only=True),
        _f("product", "integer", "所属产品", read_only=True),
        _f("title", "string", "名称", required=True),
        _f("begin", "date", "开始日期"),
        _f("end", "date", "结束日期"),
        _f("desc", "html", "描述 (holds the hub key marker)"),
        _f("status", "string", "状态", read_only=True, options=PLAN_STATUS),
    ),
    "stories": (
        *_COMMON,
        _f("title", "string", "需求名称", required=True),
        _f("spec", "html", "需求描述", required=True),
        _f("verify", "html", "验收标准"),
        _f("pri", "integer", "优先级", required=True, options=("1", "2", "3", "4")),
        _f("category", "string", "类型", required=True),
        _f("plan", "integer", "所属计划", reference="plans"),
        _f("estimate", "decimal", "预计工时"),
        _f("sourceNote", "string", "来源备注 (holds the hub key marker)"),
        _f("status", "string", "状态", read_only=True, options=STORY_STATUS),
        _f("stage", "string", "所处阶段", read_only=True, options=STORY_STAGE),
        _f("closedDate", "datetime", "关闭日期", read_only=True),
        _f("closedReason", "string", "关闭原因", read_only=True),
    ),
    "tasks": (
        *_COMMON,
        _f("execution", "integer", "所属执行", required=True, reference="executions"),
        _f("name", "string", "任务名称", required=True),
        _f("type", "string", "任务类型", required=True, options=TASK_TYPE),
        _f("assignedTo", "user", "指派给", required=True),
        _f("estStarted", "date", "预计开始", required=True),
        _f("deadline", "date", "截止日期", required=True),
        _f("estimate", "decimal", "最初预计"),
        _f("consumed", "decimal", "总计消耗"),
        _f("left", "decimal", "预计剩余"),
        _f("story", "integer", "相关需求", reference="stories"),
        _f("desc", "html", "任务描述 (holds the hub key marker)"),
        _f("status", "string", "任务状态", options=TASK_STATUS),
    ),
}
