"""Activities per rep: calls, emails and meetings logged and tasks done in the period."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from crm.models import User
from crm.models.activities import ActivityKind

from .scope import ReportFilters, group_expression, scoped_activities, scoped_tasks


@dataclass(frozen=True)
class ActivityRow:
    key: Any
    calls: int
    emails: int
    meetings: int
    tasks_done: int

    @property
    def total(self) -> int:
        return self.calls + self.emails + self.meetings + self.tasks_done


def activities_by(
    *, actor: User, filters: ReportFilters, group_by: str = "owner"
) -> list[ActivityRow]:
    """Per group (owner, team, month, quarter): two queries, one over activities (by
    occurred_at) and one over tasks (by done_at)."""
    if group_by in ("source", "stage"):
        raise ValueError(group_by)
    logged = (
        scoped_activities(actor, filters)
        .filter(filters.in_period("occurred_at"))
        .order_by()
        .annotate(group_key=group_expression(group_by, date_field="occurred_at"))
        .values("group_key")
        .annotate(
            calls=Count("pk", filter=Q(kind=ActivityKind.CALL)),
            emails=Count("pk", filter=Q(kind=ActivityKind.EMAIL)),
            meetings=Count("pk", filter=Q(kind=ActivityKind.MEETING)),
        )
    )
    done = (
        scoped_tasks(actor, filters)
        .filter(filters.in_period("done_at"))
        .order_by()
        .annotate(group_key=group_expression(group_by, date_field="done_at"))
        .values("group_key")
        .annotate(n=Count("pk"))
    )
    figures: dict[Any, dict[str, int]] = {}
    for row in logged:
        figures[row["group_key"]] = {
            "calls": row["calls"],
            "emails": row["emails"],
            "meetings": row["meetings"],
            "tasks_done": 0,
        }
    for task_row in done:
        entry = figures.setdefault(
            task_row["group_key"], {"calls": 0, "emails": 0, "meetings": 0, "tasks_done": 0}
        )
        entry["tasks_done"] = task_row["n"]
    return [
        ActivityRow(key, **values)
        for key, values in sorted(figures.items(), key=lambda kv: (kv[0] is None, str(kv[0])))
    ]
