"""Accounts and contacts: duplicate domains, field validation, soft delete and restore."""

import pytest
from django.urls import reverse

from crm.errors import DomainError
from crm.models import Account, AuditEntry, Contact
from crm.services import accounts as account_services
from tests.conftest import Org, client_for
from tests.conftest import api_client_for as _api
from tests.crm.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

NEW = {"segment": "b2b", "relationship": "prospect"}


def test_a_duplicate_domain_names_the_existing_account_with_a_link_when_visible(org: Org) -> None:
    existing = AccountFactory(owner=org.rep, name="Acme GmbH", domain="acme.com")
    response = client_for(org.rep).post(
        reverse("crm:account_create"), {**NEW, "name": "Acme again", "domain": "WWW.ACME.com"}
    )
    assert response.status_code == 200
    error = str(response.context["form"].errors["domain"][0])
    assert "Acme GmbH" in error
    assert reverse("crm:account_detail", args=[existing.pk]) in error
    assert Account.objects.filter(domain="acme.com").count() == 1


def test_a_duplicate_domain_hidden_from_the_user_is_named_without_a_link(org: Org) -> None:
    existing = AccountFactory(owner=org.stranger, name="Hidden Ltd", domain="hidden.io")
    response = client_for(org.rep).post(
        reverse("crm:account_create"), {**NEW, "name": "Mine", "website": "https://hidden.io/x"}
    )
    error = str(response.context["form"].errors["domain"][0])
    assert "Hidden Ltd" in error
    assert reverse("crm:account_detail", args=[existing.pk]) not in error


def test_the_api_answers_a_duplicate_domain_with_409_on_the_field(org: Org) -> None:
    AccountFactory(owner=org.rep, domain="acme.com")
    response = _api(org.rep).post("/api/v1/accounts/", {"name": "X", "domain": "acme.com"})
    assert response.status_code == 409
    assert "domain" in response.json()["error"]["fields"]


def test_a_deleted_accounts_domain_is_free_again(org: Org) -> None:
    old = AccountFactory(owner=org.rep, domain="reborn.com")
    account_services.account_delete(actor=org.rep, account=old)
    new = account_services.account_create(actor=org.rep, name="Reborn", domain="reborn.com")
    assert new.domain == "reborn.com"
    with pytest.raises(DomainError):  # restoring would clash
        account_services.account_restore(actor=org.admin, account=old)


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not-an-email"), ("phone", "call me maybe"), ("phone", "12")],
)
def test_invalid_email_or_phone_is_a_field_error_on_page_and_api(
    org: Org, field: str, value: str
) -> None:
    data = {"last_name": "Doe", "preferred_channel": "email", "email_consent": "unknown"}
    response = client_for(org.rep).post(reverse("crm:contact_create"), {**data, field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    api_response = _api(org.rep).post("/api/v1/contacts/", {**data, field: value}, format="json")
    assert api_response.status_code == 400
    assert field in api_response.json()["error"]["fields"]
    assert not Contact.objects.exists()


def test_an_invalid_domain_is_a_field_error(org: Org) -> None:
    response = client_for(org.rep).post(
        reverse("crm:account_create"), {**NEW, "name": "Bad", "domain": "not a domain"}
    )
    assert "domain" in response.context["form"].errors


def test_deleting_an_account_with_contacts_asks_what_to_do_with_them(org: Org) -> None:
    account = AccountFactory(owner=org.rep)
    ContactFactory.create_batch(2, owner=org.rep, account=account)
    page = client_for(org.rep).get(reverse("crm:account_delete", args=[account.pk]))
    assert b"2 contacts" in page.content
    response = _api(org.rep).delete(f"/api/v1/accounts/{account.pk}/")
    assert response.status_code == 400
    assert "contacts" in response.json()["error"]["fields"]
    account.refresh_from_db()
    assert account.deleted_at is None


def test_moving_contacts_on_delete_relinks_them(org: Org) -> None:
    account = AccountFactory(owner=org.rep)
    target = AccountFactory(owner=org.rep)
    contact = ContactFactory(owner=org.rep, account=account)
    response = client_for(org.rep).post(
        reverse("crm:account_delete", args=[account.pk]), {"contacts": "move", "move_to": target.pk}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.account == target
    assert contact.deleted_at is None


def test_soft_delete_hides_the_account_and_an_admin_restores_it_with_its_contacts(
    org: Org,
) -> None:
    account = AccountFactory(owner=org.rep)
    contact = ContactFactory(owner=org.rep, account=account)
    response = client_for(org.rep).post(
        reverse("crm:account_delete", args=[account.pk]), {"contacts": "delete"}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.deleted_at is not None
    assert (
        client_for(org.rep).get(reverse("crm:account_detail", args=[account.pk])).status_code == 404
    )
    assert (
        client_for(org.rep).post(reverse("crm:account_restore", args=[account.pk])).status_code
        == 403
    )
    admin = client_for(org.admin)
    listed = admin.get(reverse("crm:account_list"), {"deleted": "on"})
    assert account.name.encode() in listed.content
    admin.post(reverse("crm:account_restore", args=[account.pk]))
    account.refresh_from_db()
    contact.refresh_from_db()
    assert account.deleted_at is None
    assert contact.deleted_at is None
    actions = list(
        AuditEntry.objects.filter(object_id=str(account.pk), content_type__model="account")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["delete", "restore"]


def test_a_rep_cannot_give_an_account_to_someone_else(org: Org) -> None:
    response = _api(org.rep).post(
        "/api/v1/accounts/", {"name": "Gift", "owner": org.teammate.pk}, format="json"
    )
    assert response.status_code == 403


def test_a_manager_assigns_accounts_within_the_team(org: Org) -> None:
    response = _api(org.manager).post(
        "/api/v1/accounts/", {"name": "For rep", "owner": org.rep.pk}, format="json"
    )
    assert response.status_code == 201
    assert Account.objects.get(name="For rep").owner == org.rep
    response = _api(org.manager).post(
        "/api/v1/accounts/", {"name": "For stranger", "owner": org.stranger.pk}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize("plan", ["keep", "delete", "move"])
def test_deleting_an_account_refuses_when_it_holds_contacts_the_actor_may_not_change(
    org: Org, plan: str
) -> None:
    account = AccountFactory(owner=org.rep)
    target = AccountFactory(owner=org.rep)
    mine = ContactFactory(owner=org.rep, account=account)
    theirs = ContactFactory(owner=org.stranger, account=account, last_name="Outsider")
    response = client_for(org.rep).post(
        reverse("crm:account_delete", args=[account.pk]), {"contacts": plan, "move_to": target.pk}
    )
    assert response.status_code == 200
    assert "Outsider" in str(response.context["form"].non_field_errors())
    account.refresh_from_db()
    for contact in (mine, theirs):
        contact.refresh_from_db()
        assert contact.account_id == account.pk
        assert contact.deleted_at is None
    assert account.deleted_at is None


def test_the_api_refuses_the_same_delete_with_a_403_naming_the_contacts(org: Org) -> None:
    account = AccountFactory(owner=org.rep)
    ContactFactory(owner=org.stranger, account=account, last_name="Outsider")
    response = _api(org.rep).delete(f"/api/v1/accounts/{account.pk}/?contacts=keep")
    assert response.status_code == 403
    assert "Outsider" in response.json()["error"]["message"]
    account.refresh_from_db()
    assert account.deleted_at is None
