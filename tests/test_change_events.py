"""Every write path of leads, deals, accounts, contacts and activities announces the change
(crm.events) exactly once per commit, and not at all when its transaction rolls back."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from crm.models import Account
from crm.services.accounts import ContactsPlan, account_delete
from crm.services.people import user_reassign_records
from leads.models import Lead, LeadStatus
from leads.services.assignment import lead_assign_by_rules
from leads.services.conversion import DealSpec, lead_convert
from leads.services.merge import lead_merge
from leads.tasks import leads_refresh_temperature_task
from pipeline.models import Deal
from pipeline.services import deal_close_won, deal_create, deal_move
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory, ActivityFactory, ContactFactory
from tests.crm.test_api import api
from tests.events import Recorder, recording
from tests.imports.conftest import import_file
from tests.leads.factories import AssignmentRuleFactory, LeadFactory
from tests.pipeline.factories import make_pipeline, open_stages

pytestmark = pytest.mark.django_db

# A write path: does its write as a user would and returns {model label: ids it changed}.
Path = Callable[[Org], dict[str, set[int]]]


def lead_form_create(org: Org) -> dict[str, set[int]]:
    data = {"first_name": "Ada", "last_name": "Byron", "email": "ada@form.example"}
    assert client_for(org.rep).post(reverse("leads:create"), data).status_code == 302
    return {"leads.Lead": {Lead.objects.get(email="ada@form.example").pk}}


def lead_api_create(org: Org) -> dict[str, set[int]]:
    data = {"last_name": "Byron", "email": "ada@api.example"}
    response = api(org.rep).post("/api/v1/leads/", data, format="json")
    assert response.status_code == 201, response.json()
    return {"leads.Lead": {response.json()["id"]}}


def lead_api_update(org: Org) -> dict[str, set[int]]:
    lead = LeadFactory(owner=org.rep)
    response = api(org.rep).patch(f"/api/v1/leads/{lead.pk}/", {"title": "CTO"}, format="json")
    assert response.status_code == 200, response.json()
    return {"leads.Lead": {lead.pk}}


def lead_import(org: Org) -> dict[str, set[int]]:
    rows = "".join(f"Lead{i},lead{i}@import.example\n" for i in range(30))
    job = import_file(org.rep, "leads", "last_name,email\n" + rows)
    assert job.imported == 30
    return {
        "leads.Lead": set(
            Lead.objects.filter(email__endswith="@import.example").values_list("pk", flat=True)
        )
    }


def lead_import_update(org: Org) -> dict[str, set[int]]:
    lead = LeadFactory(owner=org.rep, email="known@import.example")
    content = "last_name,email,title\nKnown,known@import.example,CFO\n"
    job = import_file(org.rep, "leads", content, policy="update")
    assert job.updated == 1
    return {"leads.Lead": {lead.pk}}


def lead_merge_path(org: Org) -> dict[str, set[int]]:
    winner = LeadFactory(owner=org.rep)
    loser = LeadFactory(owner=org.rep)
    activity = ActivityFactory(owner=org.rep, account=None, lead=loser)
    lead_merge(actor=org.rep, winner=winner, loser=loser, choices={})
    return {"leads.Lead": {winner.pk, loser.pk}, "crm.Activity": {activity.pk}}


def lead_conversion(org: Org) -> dict[str, set[int]]:
    pipeline = make_pipeline()
    lead = LeadFactory(owner=org.rep, status=LeadStatus.SQL, company="Converts Ltd")
    result = lead_convert(actor=org.rep, lead=lead, deal=DealSpec(pipeline=pipeline))
    assert result.deal is not None
    return {
        "leads.Lead": {lead.pk},
        "crm.Account": {result.account.pk},
        "crm.Contact": {result.contact.pk},
        "pipeline.Deal": {result.deal.pk},
    }


def lead_assignment(org: Org) -> dict[str, set[int]]:
    AssignmentRuleFactory(action="user", user=org.teammate)
    lead = LeadFactory(owner=org.rep)
    lead_assign_by_rules(actor=org.admin, lead=lead)
    return {"leads.Lead": {lead.pk}}


def lead_bulk_actions(org: Org) -> dict[str, set[int]]:
    leads = LeadFactory.create_batch(3, owner=org.rep)
    ids = [lead.pk for lead in leads]
    data = {"action": "assign", "ids": ids, "owner": org.teammate.pk}
    assert client_for(org.manager).post(reverse("leads:bulk"), data).status_code == 302
    return {"leads.Lead": set(ids)}


def web_to_lead(org: Org) -> dict[str, set[int]]:
    AssignmentRuleFactory(action="user", user=org.rep)
    data = {"last_name": "Lin", "email": "maya@w2l.example", "timeframe": "immediate"}
    response = client_for(None).post(reverse("leads_public:web_to_lead"), data)
    assert response.status_code == 201
    return {"leads.Lead": {Lead.objects.get(email="maya@w2l.example").pk}}


def nightly_lead_job(org: Org) -> dict[str, set[int]]:
    lead = LeadFactory(owner=org.rep, timeframe="immediate", temperature="cold")
    ActivityFactory(owner=org.rep, account=None, lead=lead, occurred_at=timezone.now())
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=timezone.now() - timedelta(days=2))
    leads_refresh_temperature_task()
    return {"leads.Lead": {lead.pk}}


def deal_writes(org: Org) -> dict[str, set[int]]:
    pipeline = make_pipeline()
    deal = deal_create(actor=org.rep, name="Big one", pipeline=pipeline)
    deal = deal_move(actor=org.rep, deal=deal, stage=open_stages(pipeline)[1], expected_version=1)
    deal_close_won(actor=org.rep, deal=deal, expected_version=deal.version)
    return {"pipeline.Deal": {deal.pk}}


def deal_api_create(org: Org) -> dict[str, set[int]]:
    pipeline = make_pipeline()
    data = {"name": "API deal", "pipeline": pipeline.pk, "amount": "10"}
    response = api(org.rep).post("/api/v1/deals/", data, format="json")
    assert response.status_code == 201, response.json()
    return {"pipeline.Deal": {response.json()["id"]}}


def account_form_create(org: Org) -> dict[str, set[int]]:
    data = {"name": "Formed Inc", "segment": "b2b", "relationship": "prospect"}
    assert client_for(org.rep).post(reverse("crm:account_create"), data).status_code == 302
    return {"crm.Account": {Account.objects.get(name="Formed Inc").pk}}


def account_delete_keeping_contacts(org: Org) -> dict[str, set[int]]:
    account = AccountFactory(owner=org.rep)
    contacts = ContactFactory.create_batch(2, owner=org.rep, account=account)
    account_delete(actor=org.rep, account=account, contacts=ContactsPlan.KEEP)
    return {"crm.Account": {account.pk}, "crm.Contact": {c.pk for c in contacts}}


def contact_api_create(org: Org) -> dict[str, set[int]]:
    data = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@api.example"}
    response = api(org.rep).post("/api/v1/contacts/", data, format="json")
    assert response.status_code == 201, response.json()
    return {"crm.Contact": {response.json()["id"]}}


def activity_api_create(org: Org) -> dict[str, set[int]]:
    lead = LeadFactory(owner=org.rep)
    data = {"kind": "call", "subject": "Intro call", "lead": lead.pk}
    response = api(org.rep).post("/api/v1/activities/", data, format="json")
    assert response.status_code == 201, response.json()
    return {"crm.Activity": {response.json()["id"]}, "leads.Lead": {lead.pk}}


def reassign_on_deactivation(org: Org) -> dict[str, set[int]]:
    lead = LeadFactory(owner=org.rep)
    contact = ContactFactory(owner=org.rep, account=None)
    user_reassign_records(actor=org.admin, user=org.rep, to=org.teammate)
    return {"leads.Lead": {lead.pk}, "crm.Contact": {contact.pk}}


PATHS: list[Path] = [
    lead_form_create,
    lead_api_create,
    lead_api_update,
    lead_import,
    lead_import_update,
    lead_merge_path,
    lead_conversion,
    lead_assignment,
    lead_bulk_actions,
    web_to_lead,
    nightly_lead_job,
    deal_writes,
    deal_api_create,
    account_form_create,
    account_delete_keeping_contacts,
    contact_api_create,
    activity_api_create,
    reassign_on_deactivation,
]


def times_heard(heard: Recorder, model: str, pk: int) -> int:
    return sum(pk in event.ids for event in heard.of(model))


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.__name__)
def test_each_write_path_announces_each_record_once_per_commit(
    org: Org, path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with recording() as heard, django_capture_on_commit_callbacks(execute=True):
        changed = path(org)
    for model, ids in changed.items():
        assert ids, model
        assert {pk: times_heard(heard, model, pk) for pk in ids} == dict.fromkeys(ids, 1), model
        assert len(heard.of(model)) == 1, f"{model}: one event per commit, not one per write"


class Undo(Exception):
    """Raised after a write path to roll its transaction back."""


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.__name__)
def test_a_write_path_that_rolls_back_announces_nothing(
    org: Org, path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    def write_then_undo() -> None:
        with transaction.atomic():
            path(org)
            raise Undo

    with (
        recording() as heard,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Undo),
    ):
        write_then_undo()
    assert heard.events == []


def test_an_import_of_many_rows_sends_a_few_events_not_one_per_row(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    rows = "".join(f"Lead{i},lead{i}@bulk.example\n" for i in range(1200))
    with recording() as heard, django_capture_on_commit_callbacks(execute=True):
        job = import_file(org.rep, "leads", "last_name,email\n" + rows)
    assert job.imported == 1200
    assert len(heard.ids("leads.Lead")) == 1200
    assert len(heard.of("leads.Lead")) <= 1200 // 100


def test_a_deal_reaches_the_lead_it_came_from_through_the_lead(org: Org) -> None:
    pipeline = make_pipeline()
    lead = LeadFactory(owner=org.rep, status=LeadStatus.SQL, company="Origin Ltd")
    deal = lead_convert(actor=org.rep, lead=lead, deal=DealSpec(pipeline=pipeline)).deal
    assert deal is not None
    page = client_for(org.rep).get(reverse("pipeline:deal_detail", args=[deal.pk]))
    assert page.context["source_lead"] == lead
    assert api(org.rep).get(f"/api/v1/deals/{deal.pk}/").json()["source_lead"] == lead.pk
    assert api(org.rep).get(f"/api/v1/leads/{lead.pk}/").json()["converted_deal"] == deal.pk
    assert Deal.objects.filter(source_leads=lead.pk).get() == deal
