"""Sharing a record (read vs edit) and the relationship API: CRUD, filters, schema."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Activity, AuditEntry, Notification, RecordShare, Task
from tests.conftest import Org, client_for
from tests.conftest import api_client_for as _api
from tests.crm.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_a_read_share_lets_the_user_see_but_not_change(org: Org) -> None:
    account = AccountFactory(owner=org.stranger)
    assert (
        client_for(org.rep).get(reverse("crm:account_detail", args=[account.pk])).status_code == 404
    )
    response = client_for(org.stranger).post(
        reverse("crm:account_share", args=[account.pk]), {"user": org.rep.pk, "access": "read"}
    )
    assert response.status_code == 302
    rep = client_for(org.rep)
    assert rep.get(reverse("crm:account_detail", args=[account.pk])).status_code == 200
    assert rep.get(reverse("crm:account_edit", args=[account.pk])).status_code == 403
    patch = _api(org.rep).patch(f"/api/v1/accounts/{account.pk}/", {"name": "Mine"}, format="json")
    assert patch.status_code == 403
    assert AuditEntry.objects.filter(action="share", object_id=str(account.pk)).exists()


def test_an_edit_share_with_a_team_lets_every_member_change_it(org: Org) -> None:
    contact = ContactFactory(owner=org.stranger)
    response = _api(org.stranger).post(
        f"/api/v1/contacts/{contact.pk}/shares/", {"team": org.east.pk, "access": "edit"}
    )
    assert response.status_code == 201
    patch = _api(org.teammate).patch(
        f"/api/v1/contacts/{contact.pk}/", {"title": "CTO"}, format="json"
    )
    assert patch.status_code == 200
    share_id = response.json()["id"]
    assert (
        _api(org.stranger).delete(f"/api/v1/contacts/{contact.pk}/shares/{share_id}/").status_code
        == 204
    )
    assert _api(org.teammate).get(f"/api/v1/contacts/{contact.pk}/").status_code == 404


def test_only_editors_can_share(org: Org) -> None:
    account = AccountFactory(owner=org.stranger)
    RecordShare.objects.create(
        content_type_id=__import__("django.contrib.contenttypes.models", fromlist=["x"])
        .ContentType.objects.get_for_model(account)
        .pk,
        object_id=account.pk,
        user=org.rep,
        access="read",
    )
    response = _api(org.rep).post(
        f"/api/v1/accounts/{account.pk}/shares/", {"user": org.teammate.pk}
    )
    assert response.status_code == 403


def test_the_share_form_and_its_lists_of_people_load_only_when_asked_for(org: Org) -> None:
    account = AccountFactory(owner=org.rep)
    rep = client_for(org.rep)
    page = rep.get(reverse("crm:account_detail", args=[account.pk])).content.decode()
    assert "Share…" in page
    assert 'id="share-user"' not in page  # no list of every user on each visit
    share_url = reverse("crm:account_share", args=[account.pk])
    fragment = rep.get(share_url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="share-user"' in fragment
    assert org.teammate.full_name in fragment
    assert "<html" not in fragment
    assert "<html" in rep.get(share_url).content.decode()  # without htmx: a page of its own
    assert client_for(org.stranger).get(share_url).status_code == 404


def test_activities_and_tasks_are_created_and_filtered_by_linked_record(org: Org) -> None:
    api = _api(org.rep)
    account = AccountFactory(owner=org.rep)
    other = AccountFactory(owner=org.rep)
    for target in (account, account, other):
        response = api.post(
            "/api/v1/activities/", {"kind": "email", "subject": "Hi", "account": target.pk}
        )
        assert response.status_code == 201
    listed = api.get("/api/v1/activities/", {"account": account.pk}).json()["results"]
    assert len(listed) == 2
    due = (timezone.now() + timedelta(days=1)).isoformat()
    response = api.post(
        "/api/v1/tasks/", {"title": "Follow up", "due_at": due, "account": account.pk}
    )
    assert response.status_code == 201
    task_id = response.json()["id"]
    assert api.patch(f"/api/v1/tasks/{task_id}/", {"done": True}, format="json").json()["done"]
    assert api.get("/api/v1/tasks/", {"done": "false"}).json()["results"] == []
    assert (
        len(api.get("/api/v1/tasks/", {"done": "true", "account": account.pk}).json()["results"])
        == 1
    )


def test_an_activity_must_link_to_a_record_the_user_can_see(org: Org) -> None:
    hidden = AccountFactory(owner=org.stranger)
    api = _api(org.rep)
    response = api.post(
        "/api/v1/activities/", {"kind": "call", "subject": "Hi", "account": hidden.pk}
    )
    assert response.status_code == 400
    assert "account" in response.json()["error"]["fields"]
    response = api.post("/api/v1/activities/", {"kind": "call", "subject": "Hi"})
    assert response.status_code == 400
    assert not Activity.objects.exists()


def test_a_manager_assigning_a_task_notifies_the_rep(org: Org) -> None:
    account = AccountFactory(owner=org.rep)
    due = (timezone.now() + timedelta(days=2)).isoformat()
    response = _api(org.manager).post(
        "/api/v1/tasks/",
        {"title": "Prep QBR", "due_at": due, "account": account.pk, "owner": org.rep.pk},
    )
    assert response.status_code == 201
    assert Task.objects.get().owner == org.rep
    note = Notification.objects.get(user=org.rep)
    assert "Prep QBR" in note.text
    bell = client_for(org.rep).get(reverse("crm:notification_bell"))
    assert b"Prep QBR" in bell.content


def test_api_lists_only_visible_accounts_and_filter_by_segment(org: Org) -> None:
    AccountFactory(owner=org.rep, segment="enterprise")
    AccountFactory(owner=org.rep, segment="b2c")
    AccountFactory(owner=org.stranger, segment="enterprise")
    body = _api(org.rep).get("/api/v1/accounts/", {"segment": "enterprise"}).json()
    assert len(body["results"]) == 1


def test_the_schema_documents_the_relationship_endpoints(org: Org) -> None:
    schema = (
        _api(org.rep).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    )
    for path in ("/api/v1/accounts/", "/api/v1/contacts/", "/api/v1/activities/", "/api/v1/tasks/",
                 "/api/v1/accounts/{id}/shares/"):  # fmt: skip
        assert path in schema["paths"], path
