"""The tasks and activities lists: whose (mine / my team's), when (overdue, today, this
week), what kind, done or not. Every queryset goes through `visible()`."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from crm.models import Activity, Task, User
from crm.selectors.relationships import Sort
from crm.visibility import visible

LINKED = ("owner", "account", "contact", "lead", "deal")

TASK_SORTS = {
    "due": Sort("due_at", False),
    "-due": Sort("due_at", True),
    "created": Sort("created_at", False),
    "-created": Sort("created_at", True),
}
ACTIVITY_SORTS = {
    "-occurred": Sort("occurred_at", True),
    "occurred": Sort("occurred_at", False),
}
DUE_CHOICES = (
    ("overdue", "Overdue"),
    ("today", "Due today"),
    ("week", "Due this week"),
    ("later", "Due later"),
)


@dataclass(frozen=True)
class DayBounds:
    """Midnights in the company time zone: today, tomorrow, next Monday."""

    now: datetime
    today: datetime
    tomorrow: datetime
    next_week: datetime

    @classmethod
    def current(cls) -> "DayBounds":
        now = timezone.now()
        today = timezone.localdate(now)
        zone = timezone.get_current_timezone()

        def midnight(day: date) -> datetime:
            return datetime.combine(day, time.min, zone)

        monday = today + timedelta(days=7 - today.weekday())
        return cls(now, midnight(today), midnight(today + timedelta(days=1)), midnight(monday))


def due_q(bucket: str, bounds: DayBounds) -> Q:
    """Tasks due in `bucket` (overdue means open and past its due time)."""
    if bucket == "overdue":
        return Q(done_at__isnull=True, due_at__lt=bounds.now)
    if bucket == "today":
        return Q(due_at__gte=bounds.today, due_at__lt=bounds.tomorrow)
    if bucket == "week":
        return Q(due_at__gte=bounds.today, due_at__lt=bounds.next_week)
    if bucket == "later":
        return Q(due_at__gte=bounds.next_week)
    return Q()


def _scoped[M: Task | Activity](
    actor: User, rows: QuerySet[M], filters: dict[str, Any]
) -> QuerySet[M]:
    rows = visible(actor, rows)
    if filters.get("scope") != "team":
        return rows.filter(owner=actor)
    if filters.get("owner"):
        rows = rows.filter(owner=filters["owner"])
    return rows


def task_list(*, actor: User, filters: dict[str, Any]) -> QuerySet[Task]:
    """Tasks as the list filters say (see TaskListForm): open ones unless asked otherwise."""
    rows = _scoped(actor, Task.objects.select_related(*LINKED), filters)
    status = filters.get("status") or "open"
    if status == "open":
        rows = rows.filter(done_at__isnull=True)
    elif status == "done":
        rows = rows.filter(done_at__isnull=False)
    if filters.get("due"):
        rows = rows.filter(due_q(filters["due"], DayBounds.current()))
    if filters.get("priority"):
        rows = rows.filter(priority=filters["priority"])
    if q := str(filters.get("q") or "").strip():
        rows = rows.filter(title__icontains=q)
    return rows


def task_counts(*, actor: User, filters: dict[str, Any]) -> dict[str, int]:
    """How many open tasks of the chosen people are overdue, due today, this week (one query)."""
    bounds = DayBounds.current()
    rows = _scoped(actor, Task.objects.filter(done_at__isnull=True), filters)
    return rows.aggregate(
        **{key: Count("pk", filter=due_q(key, bounds)) for key, _ in DUE_CHOICES[:3]}
    )


def activity_list(*, actor: User, filters: dict[str, Any]) -> QuerySet[Activity]:
    """Activities as the list filters say (see ActivityListForm), newest first by default."""
    rows = _scoped(actor, Activity.objects.select_related(*LINKED), filters)
    if filters.get("kind"):
        rows = rows.filter(kind=filters["kind"])
    zone = timezone.get_current_timezone()
    if filters.get("occurred_from"):
        rows = rows.filter(
            occurred_at__gte=datetime.combine(filters["occurred_from"], time.min, zone)
        )
    if filters.get("occurred_to"):
        day_after = filters["occurred_to"] + timedelta(days=1)
        rows = rows.filter(occurred_at__lt=datetime.combine(day_after, time.min, zone))
    if q := str(filters.get("q") or "").strip():
        rows = rows.filter(Q(subject__icontains=q) | Q(outcome__icontains=q))
    return rows


def activity_counts(*, actor: User, filters: dict[str, Any]) -> dict[str, int]:
    """The filtered activities counted by kind (one GROUP BY)."""
    rows = activity_list(actor=actor, filters={**filters, "kind": ""})
    return dict(
        rows.order_by().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
