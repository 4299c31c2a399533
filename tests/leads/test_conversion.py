"""Conversion: account + contact + deal in one transaction; twice is a 409; failure leaves
nothing behind; the history follows the lead."""

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from crm.errors import Conflict, DomainError
from crm.models import Account, Activity, Contact, Task
from leads.models import LeadStatus, LeadTransition
from leads.services.conversion import DealSpec, lead_convert
from pipeline.models import Deal, Pipeline
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory, ActivityFactory, TaskFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import make_pipeline

pytestmark = pytest.mark.django_db


def sql_lead(org: Org, **extra: object) -> Any:
    return LeadFactory(
        owner=org.rep,
        status=LeadStatus.SQL,
        first_name="Ada",
        last_name="Byron",
        company="Analytical Engines",
        email="ada@engines.example",
        **extra,
    )


def test_an_sql_lead_becomes_account_contact_and_deal(org: Org) -> None:
    lead = sql_lead(org)
    activity = ActivityFactory(owner=org.rep, account=None, lead=lead)
    task = TaskFactory(owner=org.rep, lead=lead)
    pipeline = make_pipeline()
    result = lead_convert(
        actor=org.rep,
        lead=lead,
        deal=DealSpec(pipeline=pipeline, name="Engines deal", amount=Decimal("5000")),
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED
    assert lead.converted_at is not None
    assert (lead.converted_account, lead.converted_contact) == (result.account, result.contact)
    assert result.account.name == "Analytical Engines"
    assert (result.contact.email, result.contact.account) == ("ada@engines.example", result.account)
    deal = Deal.objects.get()
    assert (lead.converted_deal, deal.account, deal.primary_contact) == (
        deal,
        result.account,
        result.contact,
    )
    assert list(deal.source_leads.all()) == [lead]
    assert (deal.owner, deal.amount, deal.pipeline) == (org.rep, Decimal("5000"), pipeline)
    moved = Activity.objects.get(pk=activity.pk)
    assert (moved.account, moved.contact, moved.deal) == (result.account, result.contact, deal)
    assert Task.objects.get(pk=task.pk).deal == deal
    assert LeadTransition.objects.filter(lead=lead, to_status="converted").exists()


def test_conversion_can_use_an_existing_account_and_skip_the_deal(org: Org) -> None:
    account = AccountFactory(owner=org.rep, name="Engines plc")
    result = lead_convert(actor=org.rep, lead=sql_lead(org), account=account)
    assert result.account == account
    assert result.deal is None
    assert Account.objects.count() == 1


def test_converting_twice_is_a_conflict(org: Org) -> None:
    lead = sql_lead(org)
    lead_convert(actor=org.rep, lead=lead)
    with pytest.raises(Conflict):
        lead_convert(actor=org.rep, lead=lead)
    assert Account.objects.count() == 1


def test_a_lead_that_is_not_sql_cannot_be_converted(org: Org) -> None:
    with pytest.raises(DomainError):
        lead_convert(actor=org.rep, lead=LeadFactory(owner=org.rep, status=LeadStatus.MQL))


def test_a_failure_midway_leaves_no_account_contact_or_deal(org: Org) -> None:
    lead = sql_lead(org)
    archived = make_pipeline()
    archived.is_active = False
    archived.save()
    with pytest.raises(DomainError, match="archived"):
        lead_convert(actor=org.rep, lead=lead, deal=DealSpec(pipeline=archived))
    lead.refresh_from_db()
    assert lead.status == LeadStatus.SQL
    assert lead.converted_account is None
    assert (Account.objects.count(), Contact.objects.count(), Deal.objects.count()) == (0, 0, 0)


def test_an_account_domain_taken_refuses_the_whole_conversion(org: Org) -> None:
    AccountFactory(owner=org.stranger, name="Other", domain="engines.example")
    lead = sql_lead(org, website="https://engines.example")
    with pytest.raises(Conflict):
        lead_convert(actor=org.rep, lead=lead)
    assert Contact.objects.count() == 0


def test_the_api_answers_409_when_converting_twice(org: Org) -> None:
    lead = sql_lead(org)
    pipeline = make_pipeline()
    client = client_for(org.rep)
    url = reverse("lead-convert", args=[lead.pk])
    body = {"deal": {"pipeline": pipeline.pk, "amount": "100"}}
    first = client.post(url, body, content_type="application/json")
    assert first.status_code == 201
    assert first.json()["deal_id"] == Deal.objects.get().pk
    second = client.post(url, body, content_type="application/json")
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "conflict"


def test_the_convert_page_converts_and_shows_the_links(org: Org) -> None:
    lead = sql_lead(org)
    pipeline = make_pipeline()
    client = client_for(org.rep)
    response = client.post(
        reverse("leads:convert", args=[lead.pk]),
        {
            "account_choice": "new",
            "account_name": "Engines",
            "contact_last_name": "Byron",
            "create_deal": "on",
            "pipeline": pipeline.pk,
            "deal_name": "First order",
            "amount": "1200",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("leads:detail", args=[lead.pk]))
    assert b"First order" in page.content


def test_the_convert_page_starts_with_the_default_pipeline_and_its_first_stage(org: Org) -> None:
    lead = sql_lead(org)
    Pipeline.objects.update(position=10)  # a fresh install's pipeline comes after ours
    later = make_pipeline("Renewals")
    later.position = 5
    later.save()
    default = make_pipeline("Main sales")
    first = default.stages.filter(kind="open").order_by("position").first()
    client = client_for(org.rep)
    form = client.get(reverse("leads:convert", args=[lead.pk])).context["form"]
    assert (form["pipeline"].value(), form["stage"].value()) == (default.pk, first.pk)
    body = client.get(reverse("leads:convert", args=[lead.pk])).content.decode()
    assert f'<option value="{default.pk}" selected>Main sales</option>' in body
    # A stage of another pipeline is refused with a message, not a 500.
    other = later.stages.filter(kind="open").first()
    response = client.post(
        reverse("leads:convert", args=[lead.pk]),
        {
            "account_name": "Engines",
            "contact_last_name": "Byron",
            "create_deal": "on",
            "pipeline": default.pk,
            "stage": other.pk,
        },
    )
    assert "stage" in response.context["form"].errors
    second = default.stages.filter(kind="open").order_by("position")[1]
    response = client.post(
        reverse("leads:convert", args=[lead.pk]),
        {
            "account_name": "Engines",
            "contact_last_name": "Byron",
            "create_deal": "on",
            "pipeline": default.pk,
            "stage": second.pk,
        },
    )
    assert response.status_code == 302
    assert Deal.objects.get().stage == second
