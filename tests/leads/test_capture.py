"""Quick add, full form and their errors: nothing half-written, duplicates shown first."""

import pytest
from django.urls import reverse

from crm.errors import Conflict, DomainError, PermissionDenied
from leads.models import Lead
from leads.services.capture import lead_create, lead_update
from tests.conftest import Org, client_for
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_quick_add_creates_a_lead_owned_by_the_rep(org: Org) -> None:
    response = client_for(org.rep).post(
        reverse("leads:create"),
        {"first_name": "Ada", "last_name": "Byron", "company": "Engines Ltd", "email": "a@e.io"},
    )
    lead = Lead.objects.get(email="a@e.io")
    assert response.status_code == 302
    assert response["Location"] == reverse("leads:detail", args=[lead.pk])
    assert (lead.owner, lead.status, lead.company) == (org.rep, "suspect", "Engines Ltd")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "CTO"}, "last_name"),
        ({"last_name": "Byron", "email": "not-an-email"}, "email"),
        ({"last_name": "Byron", "phone": "call me maybe"}, "phone"),
    ],
)
def test_quick_add_refuses_bad_input_and_stores_nothing(
    org: Org, data: dict[str, str], field: str
) -> None:
    response = client_for(org.rep).post(reverse("leads:create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Lead.objects.count() == 0


def test_the_full_form_takes_every_field(org: Org) -> None:
    response = client_for(org.rep).post(
        reverse("leads:create") + "?full=1",
        {
            "full": "1",
            "first_name": "Grace",
            "last_name": "Hopper",
            "company": "Navy",
            "email": "grace@navy.example",
            "title": "Rear Admiral",
            "employee_count": "5000",
            "country": "US",
            "timeframe": "immediate",
            "budget": "25000",
            "notes": "Wants COBOL",
        },
    )
    assert response.status_code == 302
    lead = Lead.objects.get(email="grace@navy.example")
    assert (lead.employee_count, lead.temperature, str(lead.budget)) == (5000, "hot", "25000.00")


def test_the_full_form_refuses_a_negative_budget(org: Org) -> None:
    response = client_for(org.rep).post(
        reverse("leads:create") + "?full=1",
        {"full": "1", "last_name": "Hopper", "email": "g@n.example", "budget": "-1"},
    )
    assert "budget" in response.context["form"].errors
    assert not Lead.objects.exists()


def test_a_misspelled_duplicate_is_flagged_before_saving_and_saved_on_confirmation(
    org: Org,
) -> None:
    LeadFactory(owner=org.rep, first_name="Katherine", last_name="Johnson", company="NASA Langley")
    client = client_for(org.rep)
    data = {"first_name": "Katherin", "last_name": "Jonson", "company": "NASA Langly"}
    response = client.post(reverse("leads:create"), data)
    assert response.status_code == 200
    assert [c.reason for c in response.context["duplicates"]] == ["similar name"]
    assert b"Save anyway" in response.content
    assert Lead.objects.count() == 1
    response = client.post(reverse("leads:create"), {**data, "confirm_duplicates": "on"})
    assert response.status_code == 302
    assert Lead.objects.count() == 2


def test_the_live_duplicate_check_answers_while_typing(org: Org) -> None:
    LeadFactory(owner=org.rep, email="known@acme.example")
    response = client_for(org.rep).get(
        reverse("leads:duplicate_check"), {"email": "KNOWN@acme.example "}
    )
    assert b"same email" in response.content


def test_the_same_email_twice_is_a_conflict(org: Org) -> None:
    lead_create(actor=org.rep, last_name="One", email="same@x.example")
    with pytest.raises(Conflict):
        lead_create(actor=org.rep, last_name="Two", email="Same@X.example")


def test_a_rep_cannot_give_a_new_lead_to_someone_else(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        lead_create(actor=org.rep, owner=org.teammate, last_name="X", company="Y")


def test_a_manager_gives_a_lead_to_a_rep_who_is_notified(org: Org) -> None:
    lead = lead_create(actor=org.manager, owner=org.rep, last_name="X", company="Y")
    assert lead.owner == org.rep
    assert lead.assigned_at is not None
    assert org.rep.notifications.filter(link=reverse("leads:detail", args=[lead.pk])).exists()


@pytest.mark.parametrize(
    "data",
    [{"email": "anon@example.com"}, {"phone": "+44 20 7946 0000"}, {"last_name": "Byron"}],
)
def test_a_lead_needs_only_one_of_name_company_email_or_phone(
    org: Org, data: dict[str, str]
) -> None:
    lead = lead_create(actor=org.rep, **data)
    assert lead.pk is not None


def test_quick_add_takes_an_anonymous_lead_with_only_a_phone(org: Org) -> None:
    response = client_for(org.rep).post(reverse("leads:create"), {"phone": "+1 212 555 0199"})
    assert response.status_code == 302
    assert Lead.objects.get(phone="+1 212 555 0199").owner == org.rep


def test_updating_a_lead_cannot_blank_its_identity(org: Org) -> None:
    lead = LeadFactory(owner=org.rep, email="", phone="")
    with pytest.raises(DomainError):
        lead_update(
            actor=org.rep, lead=lead, data={"first_name": "", "last_name": "", "company": ""}
        )


def test_an_exact_email_duplicate_offers_only_what_can_work(org: Org) -> None:
    existing = LeadFactory(owner=org.rep, first_name="Ada", last_name="King", email="ada@x.example")
    client = client_for(org.rep)
    data = {"first_name": "Ada", "last_name": "Lovelace", "email": "ADA@x.example"}
    response = client.post(reverse("leads:create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Save anyway" not in body
    assert f'href="/leads/{existing.pk}/"' in body
    assert f"/leads/{existing.pk}/edit/?" in body
    assert "last_name=Lovelace" in body
    assert "already exists" in response.context["form"].errors["email"][0]
    # A stale "Save anyway" (the form posted with the flag) is refused the same way, no 500.
    response = client.post(reverse("leads:create"), {**data, "confirm_duplicates": "on"})
    assert response.status_code == 200
    assert Lead.objects.count() == 1
    # "Update it with what you typed" opens the existing lead's form with the typed values.
    response = client.get(reverse("leads:edit", args=[existing.pk]), {"last_name": "Lovelace"})
    assert response.context["form"].initial["last_name"] == "Lovelace"
    assert Lead.objects.get().last_name == "King"


def test_an_email_held_by_a_hidden_lead_says_so_without_showing_it(org: Org) -> None:
    LeadFactory(owner=org.stranger, last_name="Secret", email="taken@x.example")
    response = client_for(org.rep).post(
        reverse("leads:create"), {"last_name": "Mine", "email": "taken@x.example"}
    )
    body = response.content.decode()
    assert "Save anyway" not in body
    assert "Secret" not in body
    assert "belongs to someone else" in body
