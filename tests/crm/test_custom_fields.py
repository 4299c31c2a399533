"""Custom fields: admins define them (pages and API); records carry validated values in
`custom`, in forms, detail pages and the API; filterable fields get an expression index."""

import pytest
from django.db import connection
from django.urls import reverse

from crm.errors import Conflict, DomainError, PermissionDenied
from crm.models import CustomField
from crm.services.accounts import account_create
from crm.services.contacts import contact_create
from crm.services.custom_fields import (
    custom_field_create,
    custom_field_delete,
    custom_field_index_sync,
    custom_field_update,
    index_name,
)
from leads.models import Lead
from leads.services.capture import lead_create, lead_update
from pipeline.services import deal_create
from tests.conftest import Org, client_for
from tests.conftest import api_client_for as api
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import make_pipeline

pytestmark = pytest.mark.django_db


def _index_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
        return cursor.fetchone() is not None


def test_an_admin_defines_fields_in_the_api_and_everyone_reads_them(org: Org) -> None:
    response = api(org.admin).post(
        "/api/v1/custom-fields/",
        {"model_label": "leads.Lead", "name": "Total Visits", "type": "number"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["key"] == "total_visits"
    listed = api(org.rep).get("/api/v1/custom-fields/?model_label=leads.Lead").json()
    assert [f["key"] for f in listed] == ["total_visits"]
    refused = api(org.rep).post(
        "/api/v1/custom-fields/",
        {"model_label": "leads.Lead", "name": "Sneaky", "type": "text"},
        format="json",
    )
    assert refused.status_code == 403
    clash = api(org.admin).post(
        "/api/v1/custom-fields/",
        {"model_label": "leads.Lead", "name": "Visits", "key": "total_visits", "type": "text"},
        format="json",
    )
    assert clash.status_code == 409
    no_choices = api(org.admin).post(
        "/api/v1/custom-fields/",
        {"model_label": "leads.Lead", "name": "Occupation", "type": "choice"},
        format="json",
    )
    assert no_choices.status_code == 400
    assert "choice" in no_choices.json()["error"]["message"]


def test_only_admins_define_fields(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        custom_field_create(actor=org.manager, model_label="leads.Lead", name="X", type="text")


def test_values_are_checked_against_their_definitions_and_stored_typed(org: Org) -> None:
    custom_field_create(
        actor=org.admin, model_label="leads.Lead", name="Total visits", type="number"
    )
    custom_field_create(
        actor=org.admin,
        model_label="leads.Lead",
        name="Occupation",
        type="choice",
        choices=["Student", "Working Professional", "Unemployed"],
    )
    custom_field_create(
        actor=org.admin, model_label="leads.Lead", name="Do not call", type="boolean"
    )
    custom_field_create(actor=org.admin, model_label="leads.Lead", name="Budget", type="money")
    custom_field_create(actor=org.admin, model_label="leads.Lead", name="Last seen", type="date")
    custom_field_create(
        actor=org.admin,
        model_label="leads.Lead",
        name="Tags",
        type="multi_choice",
        choices=["a", "b"],
    )
    lead = lead_create(
        actor=org.rep,
        company="Acme",
        custom={
            "total_visits": "5",
            "occupation": "student",
            "do_not_call": "yes",
            "budget": "1234.5",
            "last_seen": "2024-03-01",
            "tags": ["b", "a"],
        },
    )
    assert Lead.objects.get(pk=lead.pk).custom == {
        "total_visits": 5,
        "occupation": "Student",
        "do_not_call": True,
        "budget": "1234.50",
        "last_seen": "2024-03-01",
        "tags": ["a", "b"],
    }
    with pytest.raises(DomainError, match="Total visits: “many” is not a number"):
        lead_update(actor=org.rep, lead=lead, data={"custom": {"total_visits": "many"}})
    with pytest.raises(DomainError, match="not one of"):
        lead_update(actor=org.rep, lead=lead, data={"custom": {"occupation": "Pirate"}})
    with pytest.raises(DomainError, match="Unknown custom field"):
        lead_update(actor=org.rep, lead=lead, data={"custom": {"nope": 1}})
    lead_update(actor=org.rep, lead=lead, data={"custom": {"total_visits": 6, "tags": None}})
    stored = Lead.objects.get(pk=lead.pk).custom
    assert stored["total_visits"] == 6
    assert "tags" not in stored
    assert stored["occupation"] == "Student"


def test_a_required_field_is_needed_on_create_and_cannot_be_emptied(org: Org) -> None:
    custom_field_create(
        actor=org.admin, model_label="crm.Account", name="Tier", type="text", required=True
    )
    with pytest.raises(DomainError, match="Tier is required"):
        account_create(actor=org.rep, name="Acme")
    account = account_create(actor=org.rep, name="Acme", custom={"tier": "Gold"})
    assert account.custom == {"tier": "Gold"}


def test_contacts_and_deals_carry_custom_values_too(org: Org) -> None:
    custom_field_create(actor=org.admin, model_label="crm.Contact", name="Nickname", type="text")
    custom_field_create(actor=org.admin, model_label="pipeline.Deal", name="Seats", type="number")
    contact = contact_create(actor=org.rep, last_name="Lovelace", custom={"nickname": "Ada"})
    deal = deal_create(
        actor=org.rep, name="Seats deal", pipeline=make_pipeline(), custom={"seats": 12}
    )
    assert (contact.custom, deal.custom) == ({"nickname": "Ada"}, {"seats": 12})


def test_the_api_takes_and_shows_custom_values_with_clear_errors(org: Org) -> None:
    custom_field_create(
        actor=org.admin, model_label="leads.Lead", name="Total visits", type="number"
    )
    client = api(org.rep)
    created = client.post(
        "/api/v1/leads/", {"company": "Acme", "custom": {"total_visits": 5}}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["custom"] == {"total_visits": 5}
    bad = client.post(
        "/api/v1/leads/", {"company": "Beta", "custom": {"total_visits": "lots"}}, format="json"
    )
    assert bad.status_code == 400
    assert "Total visits" in bad.json()["error"]["message"]
    assert not Lead.objects.filter(company="Beta").exists()


def test_a_filterable_field_gets_an_expression_index_that_goes_when_unflagged(org: Org) -> None:
    field = custom_field_create(
        actor=org.admin, model_label="leads.Lead", name="Total visits", type="number"
    )
    name = index_name("leads.Lead", "total_visits")
    assert custom_field_index_sync(model_label="leads.Lead", key="total_visits", wanted=True) == (
        "none"
    )
    field = custom_field_update(actor=org.admin, field=field, data={"filterable": True})
    assert custom_field_index_sync(model_label="leads.Lead", key="total_visits", wanted=True) == (
        "created"
    )
    assert _index_exists(name)
    assert custom_field_index_sync(model_label="leads.Lead", key="total_visits", wanted=True) == (
        "exists"
    )
    custom_field_update(actor=org.admin, field=field, data={"filterable": False})
    assert custom_field_index_sync(model_label="leads.Lead", key="total_visits", wanted=False) == (
        "dropped"
    )
    assert not _index_exists(name)


def test_flagging_a_field_enqueues_the_index_build_after_commit(
    org: Org, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        custom_field_create(
            actor=org.admin,
            model_label="leads.Lead",
            name="Score band",
            type="text",
            sortable=True,
        )
    index_builds = [c for c in callbacks if "custom_field_index" in repr(c)]
    assert len(index_builds) == 1


def test_a_type_cannot_change_once_records_hold_values(org: Org) -> None:
    field = custom_field_create(
        actor=org.admin, model_label="leads.Lead", name="Visits", type="number"
    )
    lead_create(actor=org.rep, company="Acme", custom={"visits": 3})
    with pytest.raises(Conflict):
        custom_field_update(actor=org.admin, field=field, data={"type": "text"})


def test_removing_a_field_removes_its_values(org: Org) -> None:
    field = custom_field_create(
        actor=org.admin, model_label="leads.Lead", name="Visits", type="number"
    )
    custom_field_create(actor=org.admin, model_label="leads.Lead", name="Other", type="text")
    lead = lead_create(actor=org.rep, company="Acme", custom={"visits": 3, "other": "x"})
    custom_field_delete(actor=org.admin, field=field)
    assert Lead.objects.get(pk=lead.pk).custom == {"other": "x"}
    assert not CustomField.objects.filter(key="visits").exists()


def test_admin_pages_add_and_edit_fields_and_reps_are_kept_out(org: Org) -> None:
    client = client_for(org.admin)
    assert client.get(reverse("crm:admin_custom_fields")).status_code == 200
    response = client.post(
        reverse("crm:admin_custom_field_create"),
        {
            "model_label": "leads.Lead",
            "name": "Occupation",
            "type": "choice",
            "choices": "Student\nWorking Professional\n",
        },
    )
    assert response.status_code == 302
    field = CustomField.objects.get()
    assert field.choices == ["Student", "Working Professional"]
    page = client.get(reverse("crm:admin_custom_field_edit", args=[field.pk]))
    assert "Working Professional" in page.content.decode()
    bad = client.post(
        reverse("crm:admin_custom_field_create"),
        {"model_label": "leads.Lead", "name": "Occupation", "type": "text"},
    )
    assert bad.status_code == 200
    assert "already" in bad.content.decode()
    assert client_for(org.rep).get(reverse("crm:admin_custom_fields")).status_code in (403, 404)


def test_the_lead_form_edits_custom_values_and_the_detail_page_shows_them(org: Org) -> None:
    custom_field_create(
        actor=org.admin,
        model_label="leads.Lead",
        name="Occupation",
        type="choice",
        choices=["Student", "Unemployed"],
    )
    custom_field_create(actor=org.admin, model_label="leads.Lead", name="Visits", type="number")
    lead = LeadFactory(owner=org.rep, company="Acme", email="", phone="")
    client = client_for(org.rep)
    url = reverse("leads:edit", args=[lead.pk])
    assert "Occupation" in client.get(url).content.decode()
    data = {"company": "Acme", "timeframe": "unknown"}
    bad = client.post(url, data | {"custom__visits": "abc"})
    assert bad.status_code == 200
    ok = client.post(url, data | {"custom__occupation": "Student", "custom__visits": "7"})
    assert ok.status_code == 302
    assert Lead.objects.get(pk=lead.pk).custom == {"occupation": "Student", "visits": 7}
    detail = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Occupation" in detail
    assert "Student" in detail
