"""External ids on leads, accounts, contacts and deals: unique per kind when set, shown,
searchable and filterable in the API."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from crm.errors import Conflict
from crm.search import search
from crm.services.accounts import account_create, account_update
from crm.services.contacts import contact_create
from leads.models import Lead
from leads.services.capture import lead_create, lead_update
from pipeline.models import Deal
from pipeline.services import deal_create
from tests.conftest import Org, client_for
from tests.conftest import api_client_for as api
from tests.crm.factories import AccountFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import make_pipeline

pytestmark = pytest.mark.django_db


def test_an_external_id_is_unique_per_kind_but_may_repeat_across_kinds(org: Org) -> None:
    account_create(actor=org.rep, name="Acme", external_id="X-1")
    contact_create(actor=org.rep, last_name="Lovelace", external_id="X-1")
    lead_create(actor=org.rep, company="Acme", external_id="X-1")
    with pytest.raises(Conflict, match="external id “X-1”") as caught:
        account_create(actor=org.rep, name="Other", external_id="X-1")
    assert caught.value.field == "external_id"
    with pytest.raises(Conflict):
        lead_create(actor=org.rep, company="Other", external_id=" X-1 ")


def test_many_records_may_have_no_external_id(org: Org) -> None:
    for name in ("A", "B", "C"):
        account_create(actor=org.rep, name=name)
    LeadFactory.create_batch(3, owner=org.rep, external_id="")
    assert Lead.objects.filter(external_id="").count() == 3


def test_the_database_refuses_a_duplicate_external_id_whatever_the_write_path(org: Org) -> None:
    AccountFactory(owner=org.rep, external_id="dup")
    with pytest.raises(IntegrityError):
        AccountFactory(owner=org.rep, external_id="dup")


def test_updates_keep_their_own_external_id_and_refuse_anothers(org: Org) -> None:
    first = account_create(actor=org.rep, name="First", external_id="A-1")
    second = account_create(actor=org.rep, name="Second", external_id="A-2")
    account_update(actor=org.rep, account=first, data={"name": "First Ltd", "external_id": "A-1"})
    with pytest.raises(Conflict):
        account_update(actor=org.rep, account=second, data={"external_id": "A-1"})
    lead = lead_create(actor=org.rep, company="L", external_id="L-1")
    lead_update(actor=org.rep, lead=lead, data={"external_id": "L-2"})
    assert Lead.objects.get(pk=lead.pk).external_id == "L-2"


def test_a_lead_with_only_an_external_id_is_accepted(org: Org) -> None:
    lead = lead_create(actor=org.rep, external_id="7927b2df-8bba-4d29-b9a2-b6e0beafe620")
    assert lead.pk is not None


def test_the_api_shows_writes_and_filters_on_external_ids(org: Org) -> None:
    client = api(org.rep)
    created = client.post("/api/v1/leads/", {"company": "Acme", "external_id": "P-77"})
    assert created.status_code == 201, created.json()
    assert created.json()["external_id"] == "P-77"
    LeadFactory(owner=org.rep, external_id="P-78")
    found = client.get("/api/v1/leads/?external_id=P-77").json()["results"]
    assert [row["external_id"] for row in found] == ["P-77"]
    clash = client.post("/api/v1/leads/", {"company": "Other", "external_id": "P-77"})
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "conflict"

    account = client.post("/api/v1/accounts/", {"name": "Acme", "external_id": "ACC-1"})
    assert account.status_code == 201, account.json()
    assert (
        client.get("/api/v1/accounts/?external_id=ACC-1").json()["results"][0]["id"]
        == (account.json()["id"])
    )
    assert client.get("/api/v1/accounts/?external_id=ACC-2").json()["results"] == []
    contact = client.post("/api/v1/contacts/", {"last_name": "Byron", "external_id": "C-1"})
    assert contact.status_code == 201, contact.json()
    assert len(client.get("/api/v1/contacts/?external_id=C-1").json()["results"]) == 1


def test_deals_take_an_external_id_in_the_api_and_the_list_filters_on_it(org: Org) -> None:
    pipeline = make_pipeline()
    client = api(org.rep)
    response = client.post(
        "/api/v1/deals/", {"name": "Big one", "pipeline": pipeline.pk, "external_id": "OPP-9"}
    )
    assert response.status_code == 201, response.json()
    deal_create(actor=org.rep, name="Other", pipeline=pipeline)
    rows = client.get("/api/v1/deals/?external_id=OPP-9").json()["results"]
    assert [row["name"] for row in rows] == ["Big one"]
    again = client.post(
        "/api/v1/deals/", {"name": "Copy", "pipeline": pipeline.pk, "external_id": "OPP-9"}
    )
    assert again.status_code == 409
    assert Deal.objects.filter(external_id="OPP-9").count() == 1


def test_global_search_finds_a_record_by_its_external_id_ignoring_case(org: Org) -> None:
    LeadFactory(owner=org.rep, first_name="Zed", external_id="1C1I7A6R")
    AccountFactory(owner=org.rep, name="Hidden Corp", external_id="ZZZ9")
    AccountFactory(owner=org.stranger, name="Not yours", external_id="ZZZ8")
    AccountFactory(owner=org.rep, name="Zebra", external_id="plain")
    titles = {r.title for g in search(actor=org.rep, query="1c1i7a6r") for r in g.results}
    assert "Zed" in titles or any("Zed" in t for t in titles)
    assert {r.title for g in search(actor=org.rep, query="zzz9") for r in g.results} == {
        "Hidden Corp"
    }
    assert search(actor=org.rep, query="ZZZ8") == []
    # ids are words with a digit: a plain word is searched as a name only
    assert search(actor=org.rep, query="plain") == []


def test_detail_pages_show_the_external_id_and_the_lead_list_finds_it(org: Org) -> None:
    lead = LeadFactory(owner=org.rep, company="Acme", external_id="PROS-123")
    client = client_for(org.rep)
    assert "PROS-123" in client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    page = client.get(reverse("leads:list"), {"q": "PROS-123"}).content.decode()
    assert "Acme" in page
    account = AccountFactory(owner=org.rep, external_id="ACC-55")
    assert "ACC-55" in client.get(reverse("crm:account_detail", args=[account.pk])).content.decode()


def test_the_lead_form_saves_an_external_id_and_refuses_a_taken_one(org: Org) -> None:
    LeadFactory(owner=org.rep, external_id="TAKEN")
    lead = LeadFactory(owner=org.rep, company="Acme", email="", phone="")
    client = client_for(org.rep)
    url = reverse("leads:edit", args=[lead.pk])
    data = {"company": "Acme", "timeframe": "unknown", "external_id": "TAKEN"}
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "external_id" in refused.context["form"].errors
    assert client.post(url, data | {"external_id": "FREE"}).status_code == 302
    assert Lead.objects.get(pk=lead.pk).external_id == "FREE"
