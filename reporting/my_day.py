"""My day, the rep's home page: tasks due, today's meetings, recent activity on my records,
and slots the leads and pipeline apps fill (hot leads, deals closing this month).

Managers see the same for their team (the subtree they manage), narrowed by a rep filter.

Every section is about records owned by the people on the page, so the visibility rule is
applied once, up front: the people come from `rep_choices`, the owner side of
`crm.visibility` (a manager's subtree, a rep alone, anyone for an admin), and each section
filters by their ids. Running `visible()` per section would repeat the same owner and share
look-ups for every model (2 queries each), and shares can't add rows to a section already
narrowed to owners the actor sees.
"""

import importlib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from crm.models import Account, Activity, Contact, Role, Task, User
from crm.models.activities import ActivityKind
from crm.visibility import assignable_owners

RECENT_DAYS = 14
SECTION_LIMIT = 50

# (module, function) the other apps provide; each takes (*, actor, rep=None).
SLOTS = {
    "hot_leads": ("leads.selectors", "hot_leads_for_my_day"),
    "new_leads": ("leads.selectors", "new_leads_for_my_day"),
    "closing_deals": ("pipeline.selectors", "deals_closing_this_month"),
}
SLOT_LIMIT = 10


@dataclass
class MyDay:
    today: Any
    people: list[User]  # whose day this is: the actor, one rep, or the manager's team
    rep: User | None
    rep_choices: list[User]
    overdue: list[Task] = field(default_factory=list)
    due_today: list[Task] = field(default_factory=list)
    meetings: list[Activity] = field(default_factory=list)
    recent: list[Activity] = field(default_factory=list)
    slots: dict[str, list[Any] | None] = field(default_factory=dict)

    @property
    def is_team_view(self) -> bool:
        return len(self.people) > 1


def rep_choices(*, actor: User) -> QuerySet[User]:
    """Whose day a manager (themselves and their subtree) or an admin (everyone active but
    admins) may look at: the people they may give records to. Reps: nobody."""
    if actor.is_rep:
        return User.objects.none()
    users = assignable_owners(actor)
    return users.exclude(role=Role.ADMIN) if actor.is_admin else users


def _people(actor: User, rep: User | None, choices: list[User]) -> list[User]:
    if rep is not None and any(u.pk == rep.pk for u in choices):
        return [rep]
    if actor.is_manager:
        return choices or [actor]
    return [actor]


def _slot(module_name: str, function_name: str, actor: User, rep: User | None) -> list[Any] | None:
    """None when the other app hasn't shipped its selector yet (the page hides the slot)."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    function = getattr(module, function_name, None)
    if function is None:
        return None
    return list(function(actor=actor, rep=rep)[:SLOT_LIMIT])


def my_day(*, actor: User, rep: User | None = None, now: datetime | None = None) -> MyDay:
    now = now or timezone.now()
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    start = datetime.combine(today, time.min, tz)
    end = start + timedelta(days=1)
    choices = list(rep_choices(actor=actor))
    people = _people(actor, rep, choices)
    ids = [person.pk for person in people]
    day = MyDay(
        today=today,
        people=people,
        rep=people[0] if rep is not None and len(people) == 1 else None,
        rep_choices=choices,
    )
    open_tasks = (
        Task.objects.filter(owner__in=ids, done_at__isnull=True, due_at__lt=end)
        .select_related("owner", "account", "contact")
        .order_by("due_at", "id")
    )
    # Both lists in one round trip, each still an index scan that stops at its limit.
    tasks = open_tasks.filter(due_at__lt=start)[:SECTION_LIMIT].union(
        open_tasks.filter(due_at__gte=start)[:SECTION_LIMIT], all=True
    )
    for task in tasks.order_by("due_at", "id"):
        (day.overdue if task.due_at < start else day.due_today).append(task)
    day.meetings = list(
        Activity.objects.filter(
            owner__in=ids, kind=ActivityKind.MEETING, occurred_at__gte=start, occurred_at__lt=end
        )
        .select_related("owner", "account", "contact")
        .order_by("occurred_at", "id")[:SECTION_LIMIT]
    )
    my_accounts = Account.objects.filter(owner__in=ids).values("pk")
    my_contacts = Contact.objects.filter(owner__in=ids).values("pk")
    day.recent = list(
        Activity.objects.filter(
            Q(account__in=my_accounts) | Q(contact__in=my_contacts),
            occurred_at__gte=now - timedelta(days=RECENT_DAYS),
            occurred_at__lte=now,
        )
        .select_related("owner", "account", "contact")
        .order_by("-occurred_at", "-id")[:15]
    )
    for name, (module_name, function_name) in SLOTS.items():
        day.slots[name] = _slot(module_name, function_name, actor, day.rep)
    return day
