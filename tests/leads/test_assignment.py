"""Assignment rules in order: by region, source, size; round robin; least loaded; fallback."""

import pytest

from crm.errors import PermissionDenied
from crm.models import Notification
from leads.models import AssignmentRule, LeadSettings, LeadSource
from leads.services.assignment import assignment_rule_create, leads_bulk_assign
from leads.services.capture import lead_create
from tests.conftest import Org
from tests.crm.factories import UserFactory
from tests.leads.factories import AssignmentRuleFactory, LeadFactory

pytestmark = pytest.mark.django_db


def new_lead(org: Org, **data: object) -> object:
    return lead_create(actor=org.admin, assign_by_rules=True, last_name="Lee", **data)


def test_the_first_matching_rule_wins(org: Org) -> None:
    AssignmentRuleFactory(position=1, country="Germany", user=org.teammate)
    AssignmentRuleFactory(position=2, user=org.rep)
    assert new_lead(org, company="GmbH", country="germany").owner == org.teammate
    assert new_lead(org, company="Inc", country="USA").owner == org.rep


def test_a_rule_by_region_source_and_company_size(org: Org) -> None:
    webinar = LeadSource.objects.get(slug="webinar")
    AssignmentRuleFactory(position=1, region="EMEA", user=org.stranger)
    AssignmentRuleFactory(position=2, source=webinar, user=org.teammate)
    AssignmentRuleFactory(position=3, min_employees=1000, user=org.manager)
    AssignmentRuleFactory(position=4, max_employees=999, user=org.rep)
    assert new_lead(org, company="A", region="EMEA").owner == org.stranger
    assert new_lead(org, company="B", source=webinar).owner == org.teammate
    assert new_lead(org, company="C", employee_count=5000).owner == org.manager
    assert new_lead(org, company="D", employee_count=20).owner == org.rep


def test_an_inactive_rule_is_skipped(org: Org) -> None:
    AssignmentRuleFactory(position=1, is_active=False, user=org.teammate)
    AssignmentRuleFactory(position=2, user=org.rep)
    assert new_lead(org, company="A").owner == org.rep


def test_round_robin_takes_turns_fairly_within_the_team(org: Org) -> None:
    AssignmentRuleFactory(action="round_robin", team=org.east)
    owners = [new_lead(org, company=f"Co {i}").owner for i in range(6)]
    assert owners.count(org.rep) == owners.count(org.teammate) == 3
    assert owners[0] != owners[1]


def test_least_loaded_gives_the_lead_to_the_rep_with_fewest_open_leads(org: Org) -> None:
    LeadFactory.create_batch(3, owner=org.rep)
    LeadFactory(owner=org.teammate)
    LeadFactory.create_batch(5, owner=org.teammate, status="converted")
    AssignmentRuleFactory(action="least_loaded", team=org.east)
    assert new_lead(org, company="A").owner == org.teammate


def test_no_matching_rule_falls_back_to_the_fallback_owner(org: Org) -> None:
    AssignmentRuleFactory(country="Japan", user=org.rep)
    LeadSettings.objects.update_or_create(pk=1, defaults={"fallback_owner": org.teammate})
    assert new_lead(org, company="A", country="France").owner == org.teammate


def test_a_deactivated_rule_target_falls_through(org: Org) -> None:
    gone = UserFactory(is_active=False)
    AssignmentRuleFactory(position=1, user=gone)
    AssignmentRuleFactory(position=2, user=org.rep)
    assert new_lead(org, company="A").owner == org.rep


def test_the_assigned_rep_is_notified_and_sees_the_lead_on_my_day(org: Org) -> None:
    from leads.selectors import new_leads_for_my_day

    AssignmentRuleFactory(user=org.rep)
    lead = new_lead(org, company="A")
    assert Notification.objects.filter(user=org.rep, text__contains="Lee").exists()
    assert new_leads_for_my_day(actor=org.rep) == [lead]


def test_only_admins_write_rules_and_rules_need_a_target(org: Org) -> None:
    from crm.errors import DomainError

    with pytest.raises(PermissionDenied):
        assignment_rule_create(actor=org.manager, name="x", action="user", user=org.rep)
    with pytest.raises(DomainError):
        assignment_rule_create(actor=org.admin, name="x", action="round_robin", team=None)
    rule = assignment_rule_create(actor=org.admin, name="ok", action="user", user=org.rep)
    assert AssignmentRule.objects.get() == rule


def test_a_manager_bulk_reassigns_only_visible_leads_to_their_reps(org: Org) -> None:
    mine = LeadFactory.create_batch(2, owner=org.rep)
    hidden = LeadFactory(owner=org.stranger)
    moved = leads_bulk_assign(
        actor=org.manager, lead_ids=[*[m.pk for m in mine], hidden.pk], owner=org.teammate
    )
    assert moved == 2
    hidden.refresh_from_db()
    assert hidden.owner == org.stranger
    assert Notification.objects.filter(user=org.teammate).count() == 2


def test_a_manager_cannot_bulk_assign_to_someone_outside_their_teams(org: Org) -> None:
    lead = LeadFactory(owner=org.rep)
    with pytest.raises(PermissionDenied):
        leads_bulk_assign(actor=org.manager, lead_ids=[lead.pk], owner=org.stranger)


def test_a_rep_cannot_bulk_reassign(org: Org) -> None:
    lead = LeadFactory(owner=org.rep)
    with pytest.raises(PermissionDenied):
        leads_bulk_assign(actor=org.rep, lead_ids=[lead.pk], owner=org.rep)
