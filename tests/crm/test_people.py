"""Admins manage users and teams; every change is audited; the audit log is append-only."""

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError

from crm.errors import Conflict, DomainError, PermissionDenied
from crm.models import AuditEntry, Contact, Role, Team
from crm.services import people
from tests.conftest import Org, client_for
from tests.crm.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_creating_a_user_writes_an_audit_row(org: Org) -> None:
    user = people.user_create(
        actor=org.admin, email="New.Rep@Example.com", role=Role.REP, team=org.east
    )
    assert user.email == "new.rep@example.com"
    entry = AuditEntry.objects.get(object_id=str(user.pk), action="create")
    assert entry.actor == org.admin
    assert entry.changes["email"] == [None, "new.rep@example.com"]


def test_changing_a_users_role_records_the_diff(org: Org) -> None:
    people.user_update(actor=org.admin, user=org.rep, data={"role": Role.MANAGER})
    entry = AuditEntry.objects.get(object_id=str(org.rep.pk), action="update")
    assert entry.changes == {"role": ["rep", "manager"]}


def test_a_duplicate_email_is_a_conflict_not_a_crash(org: Org) -> None:
    with pytest.raises(Conflict):
        people.user_create(actor=org.admin, email=org.rep.email.upper())


def test_only_admins_manage_people(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        people.team_create(actor=org.manager, name="Shadow team")


def test_deactivating_keeps_records_and_can_reassign_them(org: Org) -> None:
    ContactFactory.create_batch(3, owner=org.rep)
    moved = people.user_deactivate(actor=org.admin, user=org.rep, reassign_to=org.teammate)
    org.rep.refresh_from_db()
    assert not org.rep.is_active
    assert moved == {"contacts": 3}
    assert Contact.objects.filter(owner=org.teammate).count() == 3
    assert AuditEntry.objects.filter(object_id=str(org.rep.pk), action="deactivate").exists()


def test_deactivated_users_cannot_sign_in(org: Org) -> None:
    people.user_deactivate(actor=org.admin, user=org.rep)
    response = client_for(None).post(
        "/auth/login/", {"username": org.rep.email, "password": "pass-word-123"}
    )
    assert response.status_code == 200  # the form again, with an error


def test_moving_a_team_rewrites_its_subtree_paths(org: Org) -> None:
    child = people.team_create(actor=org.admin, name="East inside", parent=org.east)
    people.team_update(actor=org.admin, team=org.east, data={"parent": org.west})
    child.refresh_from_db()
    assert child.path == f"{org.west.path}{org.east.pk}/{child.pk}/"


def test_a_team_cannot_move_under_its_own_subtree(org: Org) -> None:
    with pytest.raises(DomainError):
        people.team_update(actor=org.admin, team=org.sales, data={"parent": org.east})


def test_a_team_with_members_cannot_be_deleted(org: Org) -> None:
    with pytest.raises(Conflict):
        people.team_delete(actor=org.admin, team=org.east)
    assert Team.objects.filter(pk=org.east.pk).exists()


def test_the_database_refuses_to_change_audit_rows(org: Org) -> None:
    entry = people.team_create(actor=org.admin, name="Audited")
    row = AuditEntry.objects.get(object_id=str(entry.pk))
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=row.pk).update(action="delete")
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM crm_auditentry WHERE id = %s", [row.pk])


def test_admins_manage_users_in_the_app(org: Org) -> None:
    client = client_for(org.admin)
    response = client.post(
        "/manage/users/new/",
        {"email": "fresh@example.com", "first_name": "Fresh", "role": "rep", "team": org.east.pk},
    )
    assert response.status_code == 302
    response = client.post(
        f"/manage/users/{org.rep.pk}/deactivate/", {"reassign_to": org.teammate.pk}
    )
    assert response.status_code == 302
    org.rep.refresh_from_db()
    assert not org.rep.is_active


def test_the_admin_audit_page_filters_by_action(org: Org) -> None:
    people.team_create(actor=org.admin, name="Filtered")
    response = client_for(org.admin).get("/manage/audit/", {"action": "create"})
    assert response.status_code == 200
    assert b"Filtered" in response.content
