"""My day leaves out what is in the bin: activities, meetings and tasks on deleted accounts
and contacts don't show, and come back when an admin restores the record."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models.activities import ActivityKind
from crm.services.accounts import account_delete, account_restore
from crm.services.contacts import contact_delete
from reporting.my_day import my_day
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory, ActivityFactory, ContactFactory, TaskFactory

pytestmark = pytest.mark.django_db


def test_my_day_does_not_show_deleted_accounts_or_contacts(org: Org) -> None:
    now = timezone.now()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    kept = AccountFactory(owner=org.rep, name="Kept Co")
    binned = AccountFactory(owner=org.rep, name="Binned Co")
    gone_contact = ContactFactory(owner=org.rep, last_name="Binnedson")
    call = ActivityFactory(owner=org.rep, account=kept, occurred_at=now - timedelta(hours=1))
    ActivityFactory(owner=org.rep, account=binned, occurred_at=now - timedelta(hours=2))
    ActivityFactory(
        owner=org.rep, account=None, contact=gone_contact, occurred_at=now - timedelta(hours=3)
    )
    ActivityFactory(owner=org.rep, account=binned, kind=ActivityKind.MEETING, occurred_at=now)
    TaskFactory(owner=org.rep, account=binned, due_at=start - timedelta(hours=1))
    TaskFactory(owner=org.rep, contact=gone_contact, due_at=start + timedelta(hours=23))
    account_delete(actor=org.rep, account=binned)
    contact_delete(actor=org.rep, contact=gone_contact)

    day = my_day(actor=org.rep, now=now)

    assert [a.pk for a in day.recent] == [call.pk]
    assert day.meetings == []
    assert (day.overdue, day.due_today) == ([], [])
    page = client_for(org.rep).get(reverse("crm:my_day"))
    assert b"Binned Co" not in page.content
    assert b"Binnedson" not in page.content

    account_restore(actor=org.admin, account=binned)
    restored = my_day(actor=org.rep, now=now)
    assert len(restored.recent) == 3  # the call and the meeting on it are back
    assert len(restored.meetings) == 1
    assert len(restored.overdue) == 1
