"""Tasks and activities have their own lists: mine or my team's, by due date or kind,
done or not, with bulk "mark done" and CSV exports; the API filters the same way."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.models import AuditEntry, Task
from tests.conftest import Org, client_for
from tests.crm.factories import ActivityFactory, TaskFactory

pytestmark = pytest.mark.django_db


def _task(owner: Any, hours: float, **fields: Any) -> Task:
    return TaskFactory(owner=owner, due_at=timezone.now() + timedelta(hours=hours), **fields)


def _titles(body: str, *titles: str) -> list[str]:
    return [title for title in titles if title in body]


def test_a_rep_sees_their_open_tasks_soonest_first_and_not_others(org: Org) -> None:
    _task(org.rep, 30, title="Later call")
    _task(org.rep, -5, title="Late proposal")
    _task(org.rep, -50, title="Finished thing", done_at=timezone.now())
    _task(org.teammate, 1, title="Teammate task")

    body = client_for(org.rep).get("/tasks/").content.decode()

    assert _titles(body, "Later call", "Late proposal", "Finished thing", "Teammate task") == [
        "Later call",
        "Late proposal",
    ]
    assert body.index("Late proposal") < body.index("Later call")
    assert "Overdue" in body


def test_the_due_buckets_are_counted_and_filter_the_list(org: Org) -> None:
    now = timezone.localtime()
    end_of_today = now.replace(hour=23, minute=59) - now
    _task(org.rep, -1, title="Overdue one")
    later_today = _task(org.rep, end_of_today.total_seconds() / 7200, title="Later today")
    _task(org.rep, 24 * 8, title="Next fortnight")
    client = client_for(org.rep)

    page = client.get("/tasks/")
    assert page.context["counts"]["overdue"] == 1
    assert page.context["counts"]["today"] >= 1  # the overdue one may be today too

    overdue = client.get("/tasks/?due=overdue").content.decode()
    assert _titles(overdue, "Overdue one", "Later today", "Next fortnight") == ["Overdue one"]
    if later_today.due_at > timezone.now():
        today = client.get("/tasks/?due=today").content.decode()
        assert "Later today" in today
        assert "Next fortnight" not in today
    later = client.get("/tasks/?due=later").content.decode()
    assert _titles(later, "Overdue one", "Later today", "Next fortnight") == ["Next fortnight"]


def test_done_tasks_are_listed_on_request(org: Org) -> None:
    _task(org.rep, -3, title="Finished thing", done_at=timezone.now())
    _task(org.rep, 3, title="Open thing")
    client = client_for(org.rep)
    done = client.get("/tasks/?status=done").content.decode()
    assert _titles(done, "Finished thing", "Open thing") == ["Finished thing"]
    both = client.get("/tasks/?status=any").content.decode()
    assert _titles(both, "Finished thing", "Open thing") == ["Finished thing", "Open thing"]


def test_a_manager_sees_the_team_tasks_but_not_another_team(org: Org) -> None:
    _task(org.rep, 2, title="Rep task")
    _task(org.teammate, 2, title="Teammate task")
    _task(org.stranger, 2, title="Stranger task")
    _task(org.manager, 2, title="Manager task")
    client = client_for(org.manager)

    mine = client.get("/tasks/").content.decode()
    assert _titles(mine, "Rep task", "Teammate task", "Stranger task", "Manager task") == [
        "Manager task"
    ]
    team = client.get("/tasks/?scope=team").content.decode()
    assert _titles(team, "Rep task", "Teammate task", "Stranger task", "Manager task") == [
        "Rep task",
        "Teammate task",
        "Manager task",
    ]
    one = client.get(f"/tasks/?scope=team&owner={org.rep.pk}").content.decode()
    assert _titles(one, "Rep task", "Teammate task") == ["Rep task"]


def test_a_rep_asking_for_the_team_scope_still_gets_only_their_own(org: Org) -> None:
    _task(org.rep, 2, title="Rep task")
    _task(org.teammate, 2, title="Teammate task")
    body = client_for(org.rep).get("/tasks/?scope=team").content.decode()
    assert _titles(body, "Rep task", "Teammate task") == ["Rep task"]


def test_bulk_mark_done_ticks_the_chosen_tasks_and_skips_what_it_may_not(org: Org) -> None:
    mine = [_task(org.rep, h, title=f"Mine {h}") for h in (1, 2, 3)]
    theirs = _task(org.stranger, 1, title="Not mine")
    client = client_for(org.rep)

    response = client.post(
        "/tasks/complete/",
        {"ids": [mine[0].pk, mine[1].pk, theirs.pk], "next": "/tasks/?due=week"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/tasks/?due=week"
    done = set(Task.objects.filter(done_at__isnull=False).values_list("pk", flat=True))
    assert done == {mine[0].pk, mine[1].pk}
    assert AuditEntry.objects.filter(object_id__in=[str(mine[0].pk), str(mine[1].pk)]).count() == 2
    page = client.get("/tasks/").content.decode()
    assert "2 tasks marked done. 1 skipped" in page


def test_bulk_mark_done_with_nothing_selected_says_so(org: Org) -> None:
    response = client_for(org.rep).post("/tasks/complete/", {"ids": ["x"]}, follow=True)
    assert "Select the tasks to mark done." in response.content.decode()


def test_the_tasks_csv_holds_the_filtered_visible_tasks(org: Org) -> None:
    _task(org.rep, -2, title="=HYPERLINK(bad)")
    _task(org.rep, 40, title="Far away")
    _task(org.stranger, -2, title="Stranger overdue")
    response = client_for(org.rep).get("/tasks/export.csv?due=overdue")
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(bad)" in body
    assert "Far away" not in body
    assert "Stranger overdue" not in body
    assert body.splitlines()[0] == "id,title,due_at,priority,owner,linked_to,done_at,notes"


def test_the_task_list_costs_the_same_queries_for_few_or_many_tasks(org: Org) -> None:
    client = client_for(org.manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/tasks/?scope=team&status=any").status_code == 200
        return len(captured)

    _task(org.rep, 1)
    queries()
    few = queries()
    for hours in range(20):
        _task(org.teammate if hours % 2 else org.rep, hours)
        ActivityFactory(owner=org.rep)
    assert queries() == few


def test_the_activity_list_filters_by_kind_and_dates_and_counts_each_kind(org: Org) -> None:
    now = timezone.now()
    ActivityFactory(owner=org.rep, kind="call", subject="Intro call", occurred_at=now)
    ActivityFactory(owner=org.rep, kind="email", subject="Follow-up mail", occurred_at=now)
    ActivityFactory(
        owner=org.rep, kind="call", subject="Old call", occurred_at=now - timedelta(days=40)
    )
    ActivityFactory(owner=org.stranger, kind="call", subject="Stranger call", occurred_at=now)
    client = client_for(org.rep)

    page = client.get("/activities/")
    body = page.content.decode()
    assert _titles(body, "Intro call", "Follow-up mail", "Old call", "Stranger call") == [
        "Intro call",
        "Follow-up mail",
        "Old call",
    ]
    assert ("call", "Call", 2) in page.context["kinds"]
    assert ("email", "Email", 1) in page.context["kinds"]

    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    calls = client.get(f"/activities/?kind=call&occurred_from={since}").content.decode()
    assert _titles(calls, "Intro call", "Follow-up mail", "Old call") == ["Intro call"]


def test_an_inverted_date_range_is_a_form_error_not_an_empty_list(org: Org) -> None:
    body = (
        client_for(org.rep)
        .get("/activities/?occurred_from=2026-05-02&occurred_to=2026-05-01")
        .content.decode()
    )
    assert "The end date is before the start date." in body


def test_activities_sort_oldest_first_by_clicking_the_header(org: Org) -> None:
    now = timezone.now()
    ActivityFactory(owner=org.rep, subject="Newer one", occurred_at=now)
    ActivityFactory(owner=org.rep, subject="Older one", occurred_at=now - timedelta(days=3))
    client = client_for(org.rep)
    newest_first = client.get("/activities/").content.decode()
    assert newest_first.index("Newer one") < newest_first.index("Older one")
    assert "sort=occurred" in newest_first
    oldest_first = client.get("/activities/?sort=occurred").content.decode()
    assert oldest_first.index("Older one") < oldest_first.index("Newer one")


def test_the_activities_csv_names_what_each_activity_was_about(org: Org) -> None:
    activity = ActivityFactory(owner=org.rep, subject="Demo meeting", kind="meeting")
    response = client_for(org.rep).get("/activities/export.csv")
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert f"Account: {activity.account}" in body
    assert "Meeting" in body


def test_the_api_filters_tasks_by_due_bucket_and_completes_many(org: Org) -> None:
    late = _task(org.rep, -2, title="Late")
    soon = _task(org.rep, 24 * 10, title="Far")
    client = client_for(org.rep)

    rows = client.get("/api/v1/tasks/?due=overdue").json()["results"]
    assert [row["id"] for row in rows] == [late.pk]

    response = client.post(
        "/api/v1/tasks/complete/",
        {"ids": [late.pk, soon.pk, 999999]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {"done": 2, "skipped": 1}
    bad = client.post("/api/v1/tasks/complete/", {"ids": []}, content_type="application/json")
    assert bad.status_code == 400
    assert "ids" in str(bad.json())


def test_the_sidebar_links_to_tasks_and_activities(org: Org) -> None:
    body = client_for(org.rep).get("/tasks/").content.decode()
    assert 'href="/tasks/"' in body
    assert 'aria-current="page"><i class="bi bi-check2-square"' in body
