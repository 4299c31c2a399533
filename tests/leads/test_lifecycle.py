"""Lifecycle: every allowed step works and is recorded; every other step is refused."""

from typing import Any

import pytest

from crm.errors import Conflict, DomainError, NotFound, PermissionDenied
from leads.models import LeadStatus, LeadTransition
from leads.services.lifecycle import ALLOWED, lead_recycle, lead_transition, leads_bulk_transition
from tests.conftest import Org
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

S = LeadStatus
ALL_PAIRS = [(a, b) for a in S.values for b in S.values if a != b]


@pytest.mark.parametrize(("from_status", "to_status"), ALL_PAIRS)
def test_each_transition_is_allowed_or_refused_by_the_table(
    org: Org, from_status: str, to_status: str
) -> None:
    lead: Any = LeadFactory(owner=org.rep, status=from_status)
    allowed = to_status in ALLOWED[from_status] and to_status != S.CONVERTED
    if allowed:
        moved = lead_transition(actor=org.rep, lead=lead, to_status=to_status, reason="why")
        assert moved.status == to_status
        step = LeadTransition.objects.get(lead=lead)
        assert (step.from_status, step.to_status, step.actor) == (from_status, to_status, org.rep)
        assert step.at is not None
    else:
        with pytest.raises(DomainError):
            lead_transition(actor=org.rep, lead=lead, to_status=to_status, reason="why")
        lead.refresh_from_db()
        assert lead.status == from_status
        assert not LeadTransition.objects.filter(lead=lead).exists()


def test_disqualifying_needs_a_reason(org: Org) -> None:
    lead = LeadFactory(owner=org.rep)
    with pytest.raises(DomainError) as error:
        lead_transition(actor=org.rep, lead=lead, to_status=S.DISQUALIFIED, reason="  ")
    assert error.value.field == "reason"


def test_a_disqualified_lead_keeps_its_reason_and_can_be_recycled_to_suspect(org: Org) -> None:
    lead: Any = LeadFactory(owner=org.rep, status=S.MQL)
    out = lead_transition(actor=org.rep, lead=lead, to_status=S.DISQUALIFIED, reason="No budget")
    assert out.disqualified_reason == "No budget"
    back = lead_recycle(actor=org.rep, lead=out, reason="Budget came through")
    assert back.status == S.SUSPECT
    assert back.disqualified_reason == ""
    assert list(
        LeadTransition.objects.filter(lead=lead).order_by("id").values_list("to_status", flat=True)
    ) == [S.DISQUALIFIED, S.SUSPECT]


def test_recycling_a_lead_that_is_not_disqualified_is_a_conflict(org: Org) -> None:
    with pytest.raises(Conflict):
        lead_recycle(actor=org.rep, lead=LeadFactory(owner=org.rep, status=S.MQL))


def test_converted_is_reached_only_through_conversion(org: Org) -> None:
    lead = LeadFactory(owner=org.rep, status=S.SQL)
    with pytest.raises(DomainError, match="Convert"):
        lead_transition(actor=org.rep, lead=lead, to_status=S.CONVERTED)


def test_a_rep_cannot_move_a_lead_they_cannot_see(org: Org) -> None:
    lead = LeadFactory(owner=org.stranger)
    with pytest.raises(NotFound):
        lead_transition(actor=org.rep, lead=lead, to_status=S.MQL)


def test_a_manager_moves_a_lead_in_their_subtree(org: Org) -> None:
    lead = lead_transition(actor=org.manager, lead=LeadFactory(owner=org.rep), to_status=S.MQL)
    assert lead.status == S.MQL


def test_a_shared_read_only_lead_cannot_be_moved(org: Org) -> None:
    from django.contrib.contenttypes.models import ContentType

    from crm.models import RecordShare
    from leads.models import Lead

    lead = LeadFactory(owner=org.stranger)
    RecordShare.objects.create(
        content_type=ContentType.objects.get_for_model(Lead), object_id=lead.pk, user=org.rep
    )
    with pytest.raises(PermissionDenied):
        lead_transition(actor=org.rep, lead=lead, to_status=S.MQL)


def test_bulk_status_change_moves_what_may_move_and_skips_the_rest(org: Org) -> None:
    movable = LeadFactory(owner=org.rep, status=S.SUSPECT)
    converted = LeadFactory(owner=org.rep, status=S.CONVERTED)
    hidden = LeadFactory(owner=org.stranger, status=S.SUSPECT)
    done, skipped = leads_bulk_transition(
        actor=org.rep, lead_ids=[movable.pk, converted.pk, hidden.pk], to_status=S.MQL
    )
    assert (done, skipped) == (1, 2)
    hidden.refresh_from_db()
    assert hidden.status == S.SUSPECT


def test_bulk_disqualify_needs_a_reason(org: Org) -> None:
    lead = LeadFactory(owner=org.rep)
    with pytest.raises(DomainError):
        leads_bulk_transition(actor=org.rep, lead_ids=[lead.pk], to_status=S.DISQUALIFIED)
