"""Imported leads without an owner go through the assignment rules in batch, giving the
same owners as assigning them one by one."""

import pytest

from leads.models import AssignmentRule, Lead
from leads.services.assignment import pick_owner, pick_owners
from tests.conftest import Org
from tests.imports.conftest import import_file
from tests.leads.factories import AssignmentRuleFactory, LeadFactory

pytestmark = pytest.mark.django_db


def _rows(n: int, country: str = "Peru") -> str:
    return "Email,Company,Country\n" + "".join(
        f"l{i}@example.com,Co {i},{country}\n" for i in range(n)
    )


def test_round_robin_alternates_and_skipped_duplicates_do_not_take_a_turn(org: Org) -> None:
    rule = AssignmentRuleFactory(action="round_robin", team=org.east)
    LeadFactory(owner=org.rep, email="l1@example.com")  # row 2 is a duplicate: skipped
    job = import_file(org.manager, "leads", _rows(5))
    assert (job.imported, job.skipped) == (4, 1)
    owners = [Lead.objects.get(email=f"l{i}@example.com").owner for i in (0, 2, 3, 4)]
    assert owners == [org.rep, org.teammate, org.rep, org.teammate]
    rule.refresh_from_db()
    assert rule.last_assigned == org.teammate


def test_least_loaded_evens_out_the_open_leads(org: Org) -> None:
    AssignmentRuleFactory(action="least_loaded", team=org.east)
    LeadFactory.create_batch(3, owner=org.rep)
    import_file(org.manager, "leads", _rows(5))
    imported = Lead.objects.filter(email__endswith="@example.com", company__startswith="Co ")
    counts = {u: imported.filter(owner=u).count() for u in (org.rep, org.teammate)}
    assert counts == {org.rep: 1, org.teammate: 4}


def test_the_batch_picks_what_one_by_one_would_pick(org: Org) -> None:
    AssignmentRuleFactory(position=0, action="user", user=org.stranger, country="Chile")
    AssignmentRuleFactory(position=1, action="round_robin", team=org.east)
    leads = [Lead(country=c, company="X") for c in ("Peru", "Chile", "Peru", "Peru", "Chile")]
    batch = [owner for owner, _ in pick_owners(leads)]
    AssignmentRule.objects.filter(action="round_robin").update(last_assigned=None)
    one_by_one = [pick_owner(lead)[0] for lead in leads]
    assert batch == one_by_one
    assert batch == [org.rep, org.stranger, org.teammate, org.rep, org.stranger]


def test_the_batch_reads_the_rules_once_however_many_leads(
    org: Org, django_assert_max_num_queries
) -> None:
    AssignmentRuleFactory(action="round_robin", team=org.east)
    leads = [Lead(country="Peru", company=f"C{i}") for i in range(200)]
    with django_assert_max_num_queries(5):
        picked = pick_owners(leads)
    assert len(picked) == 200
