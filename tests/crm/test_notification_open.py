"""Opening the record a notification points at marks that notification read."""

import pytest
from django.urls import reverse

from crm.models import Notification
from crm.services.notifications import notification_create
from tests.conftest import Org, client_for

pytestmark = pytest.mark.django_db


def test_opening_a_notification_marks_it_read_and_goes_to_its_record(org: Org) -> None:
    note = notification_create(user=org.rep, text="New lead assigned to you", link="/leads/7/")

    response = client_for(org.rep).get(reverse("crm:notification_open", args=[note.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/leads/7/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_someone_elses_notification_is_not_found_and_stays_unread(org: Org) -> None:
    note = notification_create(user=org.rep, text="Yours", link="/leads/7/")

    response = client_for(org.teammate).get(reverse("crm:notification_open", args=[note.pk]))

    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_a_link_that_leaves_the_app_is_never_followed(org: Org) -> None:
    note = Notification.objects.create(user=org.rep, text="Odd", link="//evil.example/x")

    response = client_for(org.rep).get(reverse("crm:notification_open", args=[note.pk]))

    assert response["Location"] == reverse("crm:notifications")


def test_opening_a_lead_from_my_day_answers_the_notifications_pointing_at_it(org: Org) -> None:
    lead_note = notification_create(user=org.rep, text="New lead", link="/leads/7/")
    other_lead = notification_create(user=org.rep, text="New lead", link="/leads/8/")
    teammates = notification_create(user=org.teammate, text="New lead", link="/leads/7/")

    response = client_for(org.rep).get(reverse("crm:notification_open_link"), {"next": "/leads/7/"})

    assert response["Location"] == "/leads/7/"
    read = set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True))
    assert read == {lead_note.pk}
    assert other_lead.pk not in read
    assert teammates.pk not in read


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil", ""])
def test_open_link_refuses_targets_outside_the_app(org: Org, target: str) -> None:
    response = client_for(org.rep).get(reverse("crm:notification_open_link"), {"next": target})

    assert response.status_code == 302
    assert response["Location"] == reverse("crm:my_day")


def test_the_notifications_page_and_bell_link_through_open(org: Org) -> None:
    note = notification_create(user=org.rep, text="New lead", link="/leads/7/")
    open_url = reverse("crm:notification_open", args=[note.pk])
    client = client_for(org.rep)

    assert f'href="{open_url}"' in client.get(reverse("crm:notifications")).content.decode()
    assert f'href="{open_url}"' in client.get(reverse("crm:notification_bell")).content.decode()
