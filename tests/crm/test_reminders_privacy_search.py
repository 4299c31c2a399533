"""Task reminders (exactly once), privacy export/erase, search and the timeline."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crm.models import Activity, AuditEntry, Contact, Notification, Task
from crm.schedule import ensure_schedule
from crm.search import search
from crm.selectors.timeline import timeline_for
from crm.tasks import task_reminders_send_task
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory, ActivityFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_reminders_go_out_once_even_when_beat_runs_twice(
    org: Org, django_capture_on_commit_callbacks: object
) -> None:
    soon = Task.objects.create(
        title="Call Anna", due_at=timezone.now() + timedelta(minutes=10), owner=org.rep
    )
    Task.objects.create(title="Next week", due_at=timezone.now() + timedelta(days=7), owner=org.rep)
    Task.objects.create(
        title="Done already", due_at=timezone.now(), owner=org.rep, done_at=timezone.now()
    )
    Task.objects.create(title="Ancient", due_at=timezone.now() - timedelta(days=30), owner=org.rep)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        first = task_reminders_send_task()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        second = task_reminders_send_task()
    assert (first, second) == (1, 0)
    assert list(Notification.objects.values_list("user", flat=True)) == [org.rep.pk]
    assert len(mail.outbox) == 1
    assert "Call Anna" in mail.outbox[0].subject
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None


def test_moving_a_tasks_due_time_earns_a_new_reminder(org: Org) -> None:
    from crm.services.activities import task_update

    task = Task.objects.create(
        title="Move me",
        due_at=timezone.now(),
        owner=org.rep,
        reminder_sent_at=timezone.now(),
    )
    task_update(actor=org.rep, task=task, data={"due_at": timezone.now() + timedelta(minutes=5)})
    task.refresh_from_db()
    assert task.reminder_sent_at is None


def test_the_beat_schedule_holds_the_reminder_job_once() -> None:
    from django_celery_beat.models import PeriodicTask

    ensure_schedule()
    ensure_schedule()
    assert PeriodicTask.objects.filter(task="crm.task_reminders_send").count() == 1


def test_an_admin_exports_everything_about_a_contact_and_it_is_audited(org: Org) -> None:
    contact = ContactFactory(owner=org.rep, last_name="=Danger", email="p@example.org")
    ActivityFactory(owner=org.rep, contact=contact, account=None, subject="Talked pricing")
    response = client_for(org.admin).get(reverse("crm:contact_privacy_export", args=[contact.pk]))
    data = json.loads(response.content)
    assert data["record"]["email"] == "p@example.org"
    assert [a["subject"] for a in data["activities"]] == ["Talked pricing"]
    csv_response = client_for(org.admin).get(
        reverse("crm:contact_privacy_export", args=[contact.pk]), {"format": "csv"}
    )
    assert b"'=Danger" in csv_response.content
    assert AuditEntry.objects.filter(action="export", object_id=str(contact.pk)).count() == 2
    for user in (org.rep, org.manager):
        assert (
            client_for(user)
            .get(reverse("crm:contact_privacy_export", args=[contact.pk]))
            .status_code
            == 403
        )


def test_erasure_anonymises_the_person_and_keeps_their_history_depersonalised(org: Org) -> None:
    account = AccountFactory(owner=org.rep)
    contact = Contact.objects.get(
        pk=ContactFactory(
            owner=org.rep,
            account=account,
            first_name="Eva",
            last_name="Secret",
            phone="+1 555 0100",
        ).pk
    )
    ActivityFactory(owner=org.rep, contact=contact, account=account, subject="Eva's budget")
    Task.objects.create(title="Call Eva", due_at=timezone.now(), owner=org.rep, contact=contact)
    response = client_for(org.admin).post(reverse("crm:contact_privacy_erase", args=[contact.pk]))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name, contact.email, contact.phone) == (
        "",
        "[erased]",
        "",
        "",
    )
    assert contact.erased_at is not None
    activity = Activity.objects.get(contact=contact)
    assert "Eva" not in activity.subject
    assert activity.account == account  # the history still counts for the account
    assert "Eva" not in Task.objects.get(contact=contact).title
    entry = AuditEntry.objects.get(action="erase", object_id=str(contact.pk))
    assert entry.actor == org.admin
    assert (
        client_for(org.rep)
        .post(reverse("crm:contact_privacy_erase", args=[contact.pk]))
        .status_code
        == 403
    )


def test_search_tolerates_typos_and_prefixes_and_respects_visibility(org: Org) -> None:
    mine = ContactFactory(owner=org.rep, first_name="Katarina", last_name="Nowakowski")
    ContactFactory(owner=org.stranger, first_name="Katarina", last_name="Nowakowska")
    AccountFactory(owner=org.rep, name="Brightwater Logistics", domain="brightwater.io")

    def titles(query: str) -> list[str]:
        return [r.title for g in search(actor=org.rep, query=query) for r in g.results]

    assert titles("Katarnia Nowakowsky") == [mine.full_name]
    assert titles("nowak") == [mine.full_name]
    assert titles("Brigthwater") == ["Brightwater Logistics"]
    assert titles("brightwater.io") == ["Brightwater Logistics"]
    assert titles("'); drop table --") == []
    assert len(titles("Katarina")) == 1
    assert {r.title for g in search(actor=org.admin, query="Katarina") for r in g.results} == {
        "Katarina Nowakowski",
        "Katarina Nowakowska",
    }


def test_the_timeline_is_newest_first_and_pages_with_a_cursor(org: Org) -> None:
    account = AccountFactory(owner=org.rep)
    now = timezone.now()
    for i in range(25):
        ActivityFactory(owner=org.rep, account=account, occurred_at=now - timedelta(hours=i))
    first = timeline_for(actor=org.rep, account=account, size=20)
    assert [a.occurred_at for a in first.rows] == sorted(
        (a.occurred_at for a in first.rows), reverse=True
    )
    second = timeline_for(actor=org.rep, account=account, cursor=first.next_cursor, size=20)
    assert len(first.rows) == 20
    assert len(second.rows) == 5
    assert not second.next_cursor
    assert {a.pk for a in first.rows}.isdisjoint({a.pk for a in second.rows})
    more = client_for(org.rep).get(
        reverse("crm:timeline"), {"account": account.pk, "cursor": first.next_cursor}
    )
    assert more.status_code == 200
    assert more.content.count(b"timeline-item") == 5
    hidden = client_for(org.stranger).get(reverse("crm:timeline"), {"account": account.pk})
    assert hidden.status_code == 404


def test_contacts_deleted_by_a_rep_are_restored_by_an_admin(org: Org) -> None:
    contact = ContactFactory(owner=org.rep)
    client_for(org.rep).post(reverse("crm:contact_delete", args=[contact.pk]))
    assert Contact.objects.get(pk=contact.pk).deleted_at is not None
    assert (
        client_for(org.rep).get(reverse("crm:contact_detail", args=[contact.pk])).status_code == 404
    )
    client_for(org.admin).post(reverse("crm:contact_restore", args=[contact.pk]))
    assert Contact.objects.get(pk=contact.pk).deleted_at is None
