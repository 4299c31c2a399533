"""The issue's "done when", step by step: a rep creates an account and a contact, logs a call,
adds a task, sees it on My day, finds the contact by a misspelled name, the manager sees it
on the team view, and a rep of another team gets 404 through page, API, search and export."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Account, Activity, Contact, Task
from tests.conftest import Org, client_for
from tests.conftest import api_client_for as _api

pytestmark = pytest.mark.django_db


def test_a_rep_works_an_account_and_only_their_side_of_the_org_sees_it(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    rep = client_for(org.rep)

    # 1. create an account and a contact through the pages
    response = rep.post(
        reverse("crm:account_create"),
        {"name": "Katzenberg Robotics", "domain": "https://www.Katzenberg-Robotics.com/about",
         "segment": "b2b", "relationship": "prospect"},
    )  # fmt: skip
    account = Account.objects.get(name="Katzenberg Robotics")
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:account_detail", args=[account.pk])
    assert account.domain == "katzenberg-robotics.com"
    assert account.owner == org.rep
    with django_capture_on_commit_callbacks(execute=True):  # the change event teaches search
        response = rep.post(
            reverse("crm:contact_create"),
            {"first_name": "Wilhelmina", "last_name": "Oppenheimer",
             "email": "W.Opp@katzenberg.com", "phone": "+49 30 1234567", "account": account.pk,
             "preferred_channel": "phone", "email_consent": "opt_in"},
        )  # fmt: skip
    contact = Contact.objects.get(last_name="Oppenheimer")
    assert response.status_code == 302
    assert contact.email == "w.opp@katzenberg.com"
    assert contact.consent_changed_at is not None

    # 2. log a call on the contact; it shows on the contact's and the account's timeline
    detail = reverse("crm:contact_detail", args=[contact.pk])
    response = rep.post(
        reverse("crm:activity_create"),
        {"kind": "call", "subject": "Discovery call", "duration_minutes": 20,
         "outcome": "Booked demo", "contact": contact.pk, "next": detail},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == detail
    call = Activity.objects.get(subject="Discovery call")
    assert (call.contact, call.account, call.owner) == (contact, account, org.rep)
    assert b"Discovery call" in rep.get(detail).content
    assert b"Discovery call" in rep.get(reverse("crm:account_detail", args=[account.pk])).content

    # 3. add a task due later today; My day lists it
    due = timezone.localtime() + timedelta(minutes=5)
    if due.date() != timezone.localdate():
        due = timezone.localtime() - timedelta(minutes=5)  # just before midnight: overdue
    response = rep.post(
        reverse("crm:task_create"),
        {"title": "Send the demo invite", "due_at": due.strftime("%Y-%m-%dT%H:%M"),
         "priority": "high", "contact": contact.pk, "next": detail},
    )  # fmt: skip
    assert response.status_code == 302
    task = Task.objects.get(title="Send the demo invite")
    assert task.owner == org.rep
    my_day = rep.get(reverse("crm:my_day"))
    assert b"Send the demo invite" in my_day.content

    # 4. search with a misspelled name finds the contact
    response = rep.get(reverse("crm:search"), {"q": "Wilhelmnia Openheimer"})
    assert reverse("crm:contact_detail", args=[contact.pk]).encode() in response.content

    # 5. the manager sees the task on the team view, and with the rep filter
    manager = client_for(org.manager)
    assert b"Send the demo invite" in manager.get(reverse("crm:my_day")).content
    filtered = manager.get(reverse("crm:my_day"), {"rep": org.rep.pk})
    assert b"Send the demo invite" in filtered.content
    other_rep = manager.get(reverse("crm:my_day"), {"rep": org.teammate.pk})
    assert b"Send the demo invite" not in other_rep.content

    # 6. a rep of another team: 404 on pages and API, absent from search and export
    stranger = client_for(org.stranger)
    for url in (
        reverse("crm:account_detail", args=[account.pk]),
        reverse("crm:contact_detail", args=[contact.pk]),
        reverse("crm:account_edit", args=[account.pk]),
        reverse("crm:contact_edit", args=[contact.pk]),
    ):
        assert stranger.get(url).status_code == 404, url
    api = _api(org.stranger)
    assert api.get(f"/api/v1/accounts/{account.pk}/").status_code == 404
    assert api.get(f"/api/v1/contacts/{contact.pk}/").status_code == 404
    assert api.get(f"/api/v1/activities/{call.pk}/").status_code == 404
    assert api.get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    assert api.patch(f"/api/v1/tasks/{task.pk}/", {"done": True}, format="json").status_code == 404
    found = stranger.get(reverse("crm:search"), {"q": "Oppenheimer"}).content
    assert reverse("crm:contact_detail", args=[contact.pk]).encode() not in found
    export = b"".join(stranger.get(reverse("crm:contact_export")).streaming_content)
    assert b"Oppenheimer" not in export
    export = b"".join(stranger.get(reverse("crm:account_export")).streaming_content)
    assert b"Katzenberg" not in export
    assert b"Send the demo invite" not in stranger.get(reverse("crm:my_day")).content
    # ...while the rep's own export carries both
    mine = b"".join(rep.get(reverse("crm:contact_export")).streaming_content)
    assert b"Oppenheimer" in mine


def test_ticking_a_task_done_on_my_day_swaps_the_row(org: Org) -> None:
    account = Account.objects.create(name="Tick Co", owner=org.rep)
    task = Task.objects.create(
        title="Call back",
        due_at=timezone.now() - timedelta(hours=1),
        owner=org.rep,
        account=account,
    )
    response = client_for(org.rep).post(
        reverse("crm:task_toggle", args=[task.pk]), {"done": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b'id="task-' in response.content
    assert b"<html" not in response.content
    task.refresh_from_db()
    assert task.done_at is not None
    assert b"Call back" not in client_for(org.rep).get(reverse("crm:my_day")).content


def test_a_teammate_cannot_tick_off_someone_elses_task(org: Org) -> None:
    task = Task.objects.create(title="Mine", due_at=timezone.now(), owner=org.rep)
    response = client_for(org.teammate).post(reverse("crm:task_toggle", args=[task.pk]))
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.done_at is None
