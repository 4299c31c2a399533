"""My day, the rep's home page: tasks due, today's meetings, recent activity on my records,
and cards from the leads and pipeline apps (hot leads, new leads, deals closing this month).

Managers see the same for their team (the subtree they manage), narrowed by a rep filter.

Every section starts from `crm.visibility.visible()` like any other read, then narrows to
the people on the page (from `rep_choices`: a manager's subtree, a rep alone, anyone for an
admin). Nothing in the bin shows: records hanging on a deleted account, contact, lead or deal
stay out until an admin restores it.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from crm.models import Account, Activity, Contact, Role, Task, User
from crm.models.activities import ActivityKind
from crm.models.soft_delete import alive_q
from crm.visibility import assignable_owners, visible
from forecasting.selectors import my_quota
from leads.selectors import hot_leads_for_my_day, new_leads_for_my_day
from pipeline.selectors import deals_closing_this_month

RECENT_DAYS = 14
SECTION_LIMIT = 50

# Tasks and activities hang on at most one record of each kind; none of them may be deleted.
ON_LIVE_RECORDS = alive_q("account") & alive_q("contact") & alive_q("lead") & alive_q("deal")
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
        visible(actor, Task.objects.filter(ON_LIVE_RECORDS))
        .filter(owner__in=ids, done_at__isnull=True, due_at__lt=end)
        .select_related("owner", "account", "contact")
        .order_by("due_at", "id")
    )
    # Both lists in one round trip, each still an index scan that stops at its limit.
    tasks = open_tasks.filter(due_at__lt=start)[:SECTION_LIMIT].union(
        open_tasks.filter(due_at__gte=start)[:SECTION_LIMIT], all=True
    )
    for task in tasks.order_by("due_at", "id"):
        (day.overdue if task.due_at < start else day.due_today).append(task)
    activities = visible(actor, Activity.objects.filter(ON_LIVE_RECORDS)).select_related(
        "owner", "account", "contact"
    )
    day.meetings = list(
        activities.filter(
            owner__in=ids, kind=ActivityKind.MEETING, occurred_at__gte=start, occurred_at__lt=end
        ).order_by("occurred_at", "id")[:SECTION_LIMIT]
    )
    # Seeing a record means seeing its history: every activity on the people's accounts and
    # contacts counts, whoever logged it (as on the record's own timeline).
    my_accounts = visible(actor, Account.objects.alive()).filter(owner__in=ids).values("pk")
    my_contacts = visible(actor, Contact.objects.alive()).filter(owner__in=ids).values("pk")
    day.recent = list(
        Activity.objects.filter(ON_LIVE_RECORDS)
        .select_related("owner", "account", "contact")
        .filter(
            Q(account__in=my_accounts) | Q(contact__in=my_contacts),
            occurred_at__gte=now - timedelta(days=RECENT_DAYS),
            occurred_at__lte=now,
        )
        .order_by("-occurred_at", "-id")[:15]
    )
    day.slots = {
        "hot_leads": hot_leads_for_my_day(actor=actor, rep=day.rep, limit=SLOT_LIMIT),
        "new_leads": new_leads_for_my_day(actor=actor, rep=day.rep, limit=SLOT_LIMIT),
        "closing_deals": list(deals_closing_this_month(actor=actor, rep=day.rep)[:SLOT_LIMIT]),
        "quota": my_quota(actor=actor, person=day.rep or actor, team_view=day.is_team_view),
    }
    return day
