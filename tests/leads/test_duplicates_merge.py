"""Duplicates by email, phone and fuzzy name+company; merge moves history and can be undone."""

import pytest
from django.urls import reverse

from crm.errors import Conflict, PermissionDenied
from crm.models import Activity, AuditEntry, Task
from leads.models import Lead, LeadMerge
from leads.services.duplicates import find_duplicates
from leads.services.merge import lead_merge, lead_merge_undo
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory, ActivityFactory, ContactFactory, TaskFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_the_same_email_in_another_case_is_a_duplicate(org: Org) -> None:
    lead = LeadFactory(owner=org.rep, email="Jane.Doe@Acme.example")
    found = find_duplicates(actor=org.rep, email=" jane.doe@acme.EXAMPLE")
    assert [(c.kind, c.id, c.reason) for c in found] == [("lead", lead.pk, "same email")]


def test_the_same_phone_written_differently_is_a_duplicate(org: Org) -> None:
    lead = LeadFactory(owner=org.rep, phone="+1 (555) 010-2000")
    found = find_duplicates(actor=org.rep, phone="1.555.010.2000")
    assert [(c.id, c.reason) for c in found] == [(lead.pk, "same phone")]


def test_a_misspelled_name_and_company_is_a_likely_duplicate(org: Org) -> None:
    lead = LeadFactory(owner=org.rep, first_name="Jonathan", last_name="Smith", company="Acme Corp")
    LeadFactory(owner=org.rep, first_name="Priya", last_name="Raman", company="Globex")
    found = find_duplicates(
        actor=org.rep, first_name="Jonathon", last_name="Smyth", company="Acme Corp"
    )
    assert [(c.id, c.reason) for c in found] == [(lead.pk, "similar name")]
    assert 0.3 <= found[0].similarity < 1


def test_contacts_and_accounts_are_searched_too(org: Org) -> None:
    contact = ContactFactory(owner=org.rep, email="ceo@initech.example")
    account = AccountFactory(owner=org.rep, name="Initech")
    found = find_duplicates(actor=org.rep, email="CEO@initech.example", company="Initech")
    assert {(c.kind, c.id) for c in found} == {("contact", contact.pk), ("account", account.pk)}


def test_a_duplicate_the_actor_cannot_see_is_reported_without_details(org: Org) -> None:
    LeadFactory(owner=org.stranger, email="secret@x.example", first_name="Top", last_name="Secret")
    (found,) = find_duplicates(actor=org.rep, email="secret@x.example")
    assert (found.visible, found.url) == (False, "")
    assert "Secret" not in found.label


def test_merge_picks_fields_moves_history_and_hides_the_loser(org: Org) -> None:
    winner = LeadFactory(owner=org.rep, email="", phone="", title="CTO", company="Acme")
    loser = LeadFactory(owner=org.rep, email="cto@acme.example", title="Chief", company="ACME")
    activity = ActivityFactory(owner=org.rep, account=None, lead=loser)
    task = TaskFactory(owner=org.rep, lead=loser)
    merge = lead_merge(
        actor=org.rep, winner=winner, loser=loser, choices={"title": "loser", "company": "winner"}
    )
    winner.refresh_from_db()
    loser.refresh_from_db()
    assert (winner.email, winner.title, winner.company) == ("cto@acme.example", "Chief", "Acme")
    assert Activity.objects.get(pk=activity.pk).lead_id == winner.pk
    assert Task.objects.get(pk=task.pk).lead_id == winner.pk
    assert loser.deleted_at is not None
    assert loser.merged_into == winner
    assert not Lead.objects.alive().filter(pk=loser.pk).exists()
    assert AuditEntry.objects.filter(action="merge").count() == 2
    assert (merge.moved_activity_ids, merge.moved_task_ids) == ([activity.pk], [task.pk])


def test_an_admin_undoes_a_merge_and_everything_goes_back(org: Org) -> None:
    winner = LeadFactory(owner=org.rep, email="", title="CTO")
    loser = LeadFactory(owner=org.rep, email="back@acme.example", title="Chief")
    activity = ActivityFactory(owner=org.rep, account=None, lead=loser)
    merge = lead_merge(actor=org.rep, winner=winner, loser=loser, choices={"title": "loser"})
    with pytest.raises(PermissionDenied):
        lead_merge_undo(actor=org.manager, merge=merge)
    lead_merge_undo(actor=org.admin, merge=merge)
    winner.refresh_from_db()
    loser.refresh_from_db()
    assert (winner.email, winner.title) == ("", "CTO")
    assert (loser.deleted_at, loser.email, loser.title) == (None, "back@acme.example", "Chief")
    assert Activity.objects.get(pk=activity.pk).lead_id == loser.pk
    assert LeadMerge.objects.get().undone_by == org.admin
    with pytest.raises(Conflict):
        lead_merge_undo(actor=org.admin, merge=merge)


def test_a_rep_cannot_merge_a_lead_they_cannot_see(org: Org) -> None:
    from crm.errors import NotFound

    with pytest.raises(NotFound):
        lead_merge(
            actor=org.rep, winner=LeadFactory(owner=org.rep), loser=LeadFactory(owner=org.stranger)
        )


def test_the_merge_page_merges_with_the_picked_values(org: Org) -> None:
    from django.urls import reverse

    from tests.conftest import client_for

    winner = LeadFactory(owner=org.rep, title="A")
    loser = LeadFactory(owner=org.rep, title="B")
    client = client_for(org.rep)
    url = reverse("leads:merge", args=[winner.pk])
    assert client.get(url, {"other": loser.pk}).status_code == 200
    response = client.post(url, {"other": loser.pk, "pick_title": "loser"})
    assert response.status_code == 302
    winner.refresh_from_db()
    assert winner.title == "B"


def test_the_merge_page_shows_choice_labels_not_codes(org: Org) -> None:
    lead = LeadFactory(owner=org.rep, timeframe="within_2_months", status="mql")
    other = LeadFactory(owner=org.rep, timeframe="immediate")
    response = client_for(org.rep).get(reverse("leads:merge", args=[lead.pk]), {"other": other.pk})
    body = response.content.decode()
    assert "Within about two months" in body
    assert "Immediate need" in body
    assert "within_2_months" not in body.replace('value="within_2_months"', "")


def test_a_shared_first_name_and_company_alone_is_not_a_likely_duplicate(org: Org) -> None:
    # similarity("ada wright soylent", "ada lovelace soylent") is 0.43: pg_trgm's default
    # threshold (0.3) would call them duplicates; the floor of 0.5 does not.
    LeadFactory(owner=org.rep, first_name="Ada", last_name="Lovelace", company="Soylent")
    close = LeadFactory(owner=org.rep, first_name="Ada", last_name="Wrigth", company="Soylent")
    found = find_duplicates(actor=org.rep, first_name="Ada", last_name="Wright", company="Soylent")
    assert [c.id for c in found if c.kind == "lead"] == [close.pk]
