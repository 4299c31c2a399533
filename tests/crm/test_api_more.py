"""API for notifications, saved views, the audit log and privacy requests on contacts."""

from typing import Any

import pytest

from crm.models import AuditEntry, Notification, SavedView
from crm.models.audit import AuditAction
from crm.services.notifications import notification_create
from tests.conftest import Org
from tests.conftest import api_client_for as api
from tests.crm.factories import ActivityFactory, ContactFactory

pytestmark = pytest.mark.django_db


def ids(response: Any) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# Notifications


def test_a_user_lists_only_their_own_notifications_and_can_filter_unread(
    org: Org, django_assert_max_num_queries: Any
) -> None:
    mine = [notification_create(user=org.rep, text=f"Note {n}") for n in range(3)]
    notification_create(user=org.admin, text="Not for the rep")
    Notification.objects.filter(pk=mine[0].pk).update(read_at="2026-01-01T00:00:00Z")
    with django_assert_max_num_queries(4):
        everything = api(org.rep).get("/api/v1/notifications/")
    assert sorted(ids(everything)) == sorted(n.pk for n in mine)
    unread = api(org.rep).get("/api/v1/notifications/", {"unread": "true"})
    assert sorted(ids(unread)) == sorted(n.pk for n in mine[1:])
    assert unread.json()["results"][0]["is_read"] is False


def test_marking_one_notification_read_sets_read_at(org: Org) -> None:
    note = notification_create(user=org.rep, text="Lead assigned", link="/leads/1/")
    response = api(org.rep).post(f"/api/v1/notifications/{note.pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    note.refresh_from_db()
    assert note.read_at is not None


def test_someone_elses_notification_is_404_even_for_an_admin(org: Org) -> None:
    note = notification_create(user=org.rep, text="Private")
    response = api(org.admin).post(f"/api/v1/notifications/{note.pk}/read/")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_read_all_marks_only_the_callers_unread_notifications(org: Org) -> None:
    for n in range(2):
        notification_create(user=org.rep, text=f"Note {n}")
    other = notification_create(user=org.teammate, text="Teammate's")
    response = api(org.rep).post("/api/v1/notifications/read-all/")
    assert response.json() == {"marked": 2}
    assert not Notification.objects.filter(user=org.rep, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_a_bad_unread_filter_is_a_400_in_the_error_shape(org: Org) -> None:
    response = api(org.rep).get("/api/v1/notifications/", {"unread": "maybe"})
    assert response.status_code == 400
    assert "unread" in response.json()["error"]["fields"]


# Saved views


def test_a_user_saves_lists_by_kind_and_deletes_their_views(
    org: Org, django_assert_max_num_queries: Any
) -> None:
    client = api(org.rep)
    created = client.post(
        "/api/v1/saved-views/",
        {"kind": "leads", "name": "Hot ones", "querystring": "temperature=hot&after=abc"},
    )
    assert created.status_code == 201
    assert created.json()["querystring"] == "temperature=hot"
    client.post("/api/v1/saved-views/", {"kind": "accounts", "name": "Big"})
    SavedView.objects.create(user=org.teammate, kind="leads", name="Theirs")
    with django_assert_max_num_queries(3):
        leads_only = client.get("/api/v1/saved-views/", {"kind": "leads"})
    assert [v["name"] for v in leads_only.json()["results"]] == ["Hot ones"]
    assert len(client.get("/api/v1/saved-views/").json()["results"]) == 2
    deleted = client.delete(f"/api/v1/saved-views/{created.json()['id']}/")
    assert deleted.status_code == 204
    assert not SavedView.objects.filter(pk=created.json()["id"]).exists()


def test_saving_an_existing_name_overwrites_the_view(org: Org) -> None:
    client = api(org.rep)
    client.post("/api/v1/saved-views/", {"kind": "deals", "name": "Mine", "querystring": "a=1"})
    again = client.post(
        "/api/v1/saved-views/", {"kind": "deals", "name": "Mine", "querystring": "a=2"}
    )
    assert again.status_code == 201
    assert SavedView.objects.get(user=org.rep, kind="deals").querystring == "a=2"


def test_an_unknown_list_kind_is_refused_and_nothing_is_saved(org: Org) -> None:
    response = api(org.rep).post("/api/v1/saved-views/", {"kind": "planets", "name": "X"})
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]
    assert not SavedView.objects.exists()


def test_nobody_deletes_someone_elses_saved_view(org: Org) -> None:
    view = SavedView.objects.create(user=org.rep, kind="leads", name="Mine")
    assert api(org.admin).delete(f"/api/v1/saved-views/{view.pk}/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


# Audit log


def test_only_administrators_read_the_audit_log(org: Org) -> None:
    for user in (org.rep, org.manager):
        response = api(user).get("/api/v1/audit/")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"


def test_the_audit_log_filters_by_actor_action_type_object_and_day(
    org: Org, django_assert_max_num_queries: Any
) -> None:
    contact = ContactFactory(owner=org.rep)
    client = api(org.admin)
    client.post(f"/api/v1/contacts/{contact.pk}/erase/")
    with django_assert_max_num_queries(4):
        response = client.get(
            "/api/v1/audit/",
            {
                "actor": org.admin.pk,
                "action": "erase",
                "object_type": "crm.contact",
                "object_id": contact.pk,
                "since": "2000-01-01",
                "until": "2999-12-31",
            },
        )
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["action"], r["object_type"], r["object_id"]) for r in rows] == [
        ("erase", "crm.contact", str(contact.pk))
    ]
    assert rows[0]["actor_name"] == org.admin.full_name
    assert client.get("/api/v1/audit/", {"until": "2000-01-01"}).json()["results"] == []


def test_the_audit_log_pages_with_a_cursor(org: Org) -> None:
    for contact in ContactFactory.create_batch(3, owner=org.rep):
        AuditEntry.objects.create(
            actor=org.admin,
            content_type_id=1,
            object_id=str(contact.pk),
            object_repr="c",
            action=AuditAction.UPDATE,
        )
    first = api(org.admin).get("/api/v1/audit/", {"page_size": 2})
    assert len(first.json()["results"]) == 2
    second = api(org.admin).get(first.json()["next"])
    assert second.status_code == 200
    assert set(ids(first)).isdisjoint(ids(second))


def test_an_unknown_object_type_is_a_400_on_the_field(org: Org) -> None:
    response = api(org.admin).get("/api/v1/audit/", {"object_type": "nope.nothing"})
    assert response.status_code == 400
    assert "object_type" in response.json()["error"]["fields"]


def test_the_audit_log_is_read_only(org: Org) -> None:
    assert api(org.admin).post("/api/v1/audit/", {}).status_code == 405


# Privacy: contacts


def test_an_admin_exports_a_contacts_personal_data_as_json_and_csv(org: Org) -> None:
    contact = ContactFactory(owner=org.rep, email="pat@example.com")
    ActivityFactory(owner=org.rep, contact=contact, subject="Call with Pat")
    client = api(org.admin)
    as_json = client.get(f"/api/v1/contacts/{contact.pk}/personal-data/")
    assert as_json.status_code == 200
    body = as_json.json()
    assert body["record"]["email"] == "pat@example.com"
    assert body["activities"][0]["subject"] == "Call with Pat"
    as_csv = client.get(f"/api/v1/contacts/{contact.pk}/personal-data/", {"format": "csv"})
    assert as_csv.status_code == 200
    assert as_csv["Content-Type"].startswith("text/csv")
    assert "pat@example.com" in as_csv.content.decode()
    assert (
        AuditEntry.objects.filter(action=AuditAction.EXPORT, object_id=str(contact.pk)).count() == 2
    )


def test_non_admins_get_403_on_a_contact_they_see_and_404_on_one_they_dont(org: Org) -> None:
    theirs = ContactFactory(owner=org.rep)
    hidden = ContactFactory(owner=org.stranger)
    for user in (org.rep, org.manager):
        client = api(user)
        assert client.get(f"/api/v1/contacts/{theirs.pk}/personal-data/").status_code == 403
        assert client.post(f"/api/v1/contacts/{theirs.pk}/erase/").status_code == 403
        assert client.get(f"/api/v1/contacts/{hidden.pk}/personal-data/").status_code == 404
        assert client.post(f"/api/v1/contacts/{hidden.pk}/erase/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.erased_at is None
    assert not AuditEntry.objects.filter(action__in=["export", "erase"]).exists()


def test_erasing_a_contact_anonymises_it_and_keeps_de_personalised_history(org: Org) -> None:
    contact = ContactFactory(owner=org.rep, email="pat@example.com")
    activity = ActivityFactory(owner=org.rep, contact=contact, subject="Call with Pat")
    response = api(org.admin).post(f"/api/v1/contacts/{contact.pk}/erase/")
    assert response.status_code == 200
    assert response.json()["id"] == contact.pk
    contact.refresh_from_db()
    activity.refresh_from_db()
    assert (contact.email, contact.last_name) == ("", "[erased]")
    assert contact.erased_at is not None
    assert activity.subject == "Details erased (privacy request)"
    assert AuditEntry.objects.filter(
        action=AuditAction.ERASE, object_id=str(contact.pk), actor=org.admin
    ).exists()
