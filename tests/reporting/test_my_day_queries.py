"""My day runs a fixed number of queries, however much is due on it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import User
from crm.models.activities import ActivityKind
from reporting.my_day import SECTION_LIMIT, my_day
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory, ActivityFactory, ContactFactory, TaskFactory

pytestmark = pytest.mark.django_db

# 6 every page pays (session read and save, user, managed teams), 1 for the rep choices,
# 3 for the sections and 4 for their visible() share look-ups (tasks, activities, accounts,
# contacts), 8 for the leads and pipeline cards: was 29 before the sections shared one scope;
# 3 for the quota card (the manager's team, its quotas, the won amounts).
MANAGER_QUERY_BOUND = 25


def _fill_day(owners: list[User], count: int) -> None:
    now = timezone.now()
    for n in range(count):
        owner = owners[n % len(owners)]
        account = AccountFactory(owner=owner)
        contact = ContactFactory(owner=owner, account=account)
        TaskFactory(owner=owner, account=account, due_at=now - timedelta(days=1, minutes=n))
        TaskFactory(owner=owner, contact=contact, due_at=now.replace(hour=23, minute=0))
        ActivityFactory(owner=owner, account=account, kind=ActivityKind.MEETING, occurred_at=now)
        ActivityFactory(
            owner=owner, account=account, contact=contact, occurred_at=now - timedelta(hours=n)
        )


def _my_day_queries(user: User) -> tuple[int, str]:
    client = client_for(user)
    client.get(reverse("crm:my_day"))  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("crm:my_day"))
    assert response.status_code == 200
    return len(queries), "\n".join(q["sql"] for q in queries.captured_queries)


def test_a_managers_day_costs_the_same_queries_with_5_or_50_rows_each(org: Org) -> None:
    team = [org.rep, org.teammate, org.manager]
    _fill_day(team, 5)
    few, _ = _my_day_queries(org.manager)
    _fill_day(team, 45)
    many, sql = _my_day_queries(org.manager)
    assert few == many
    assert many <= MANAGER_QUERY_BOUND, sql


def test_a_managers_day_lists_the_teams_tasks_and_meetings_but_not_a_strangers(org: Org) -> None:
    now = timezone.now()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    late = TaskFactory(owner=org.rep, due_at=start - timedelta(days=2), title="Late")
    later = TaskFactory(owner=org.teammate, due_at=start - timedelta(days=1), title="Later")
    today = TaskFactory(owner=org.manager, due_at=start + timedelta(hours=23), title="Today")
    TaskFactory(owner=org.stranger, due_at=start - timedelta(days=1))
    TaskFactory(owner=org.rep, due_at=start - timedelta(days=1), done_at=now)
    meeting = ActivityFactory(owner=org.rep, kind=ActivityKind.MEETING, occurred_at=now)
    ActivityFactory(owner=org.stranger, kind=ActivityKind.MEETING, occurred_at=now)

    day = my_day(actor=org.manager, now=now)

    assert day.overdue == [late, later]
    assert day.due_today == [today]
    assert day.meetings == [meeting]
    assert [a.pk for a in day.recent] == [meeting.pk]
    narrowed = my_day(actor=org.manager, rep=org.rep, now=now)
    assert (narrowed.overdue, narrowed.due_today) == ([late], [])


def test_each_task_list_stops_at_its_own_limit(org: Org) -> None:
    now = timezone.now()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for n in range(SECTION_LIMIT + 3):
        TaskFactory(owner=org.rep, due_at=start - timedelta(minutes=n + 1))
    TaskFactory(owner=org.rep, due_at=start + timedelta(hours=23))

    day = my_day(actor=org.rep, now=now)

    assert len(day.overdue) == SECTION_LIMIT
    assert day.overdue[0].due_at == start - timedelta(minutes=SECTION_LIMIT + 3)
    assert len(day.due_today) == 1
