"""A manager's lead list, assembled from per-owner branches, is the plain query's list."""

import random
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from crm.models import RecordShare
from leads.models import Lead
from leads.selectors import (
    LeadFilters,
    LeadPlan,
    branch_base,
    capped_count,
    lead_list,
    lead_page,
    lead_plan,
)
from tests.conftest import Org, client_for
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _spread(org: Org) -> None:
    """Leads of three owners in scope, one outside, a shared one, ties and gaps in every sort
    column, and a deleted one."""
    rng = random.Random(7)
    now = timezone.now()
    names = ["Adams", "Baker", "baker", "Clark", "Ødegaard", "Zeta"]
    for i in range(40):
        owner = [org.rep, org.teammate, org.manager, org.stranger][i % 4]
        LeadFactory(
            owner=owner,
            last_name=rng.choice(names),
            first_name=rng.choice(["Ann", "Bob", ""]),
            company="Globex" if i % 3 == 0 else "Initech",
            status=rng.choice(["suspect", "mql"]),
            temperature=rng.choice(["warm", "cold"]),
            score=rng.choice([None, 10, 50, 50, 90]),
            created_at=now - timedelta(minutes=rng.choice([1, 2, 2, 3, 5])),
        )
    shared = LeadFactory(owner=org.stranger, company="Globex shared")
    RecordShare.objects.create(
        content_type=ContentType.objects.get_for_model(Lead), object_id=shared.pk, user=org.manager
    )
    in_scope_and_shared = LeadFactory(owner=org.rep, company="Globex twice")
    RecordShare.objects.create(
        content_type=ContentType.objects.get_for_model(Lead),
        object_id=in_scope_and_shared.pk,
        team=org.manager.team,
    )
    gone = LeadFactory(owner=org.rep, company="Globex gone")
    Lead.objects.filter(pk=gone.pk).update(deleted_at=now)


def _walk(leads: Any, sort: str, plan: LeadPlan | None, base: Any = None) -> list[int]:
    seen: list[int] = []
    cursor = ""
    while True:
        page = lead_page(leads, sort=sort, cursor=cursor, size=3, plan=plan, base=base)
        seen += [lead.pk for lead in page.rows]
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor


def test_a_manager_with_several_owners_gets_the_per_owner_plan(org: Org) -> None:
    plan = lead_plan(actor=org.manager)
    assert plan.per_owner
    assert plan.scope is not None
    assert set(plan.scope.owner_ids) == {org.manager.pk, org.rep.pk, org.teammate.pk}


def test_reps_admins_and_an_owner_filter_keep_the_plain_plan(org: Org) -> None:
    assert not lead_plan(actor=org.rep).per_owner
    assert not lead_plan(actor=org.admin).per_owner
    assert not lead_plan(actor=org.manager, owner_filter=org.rep.pk).per_owner


@pytest.mark.parametrize("sort", ["-created", "created", "name", "-score"])
@pytest.mark.parametrize(
    "filters",
    [{}, {"status": ["mql"], "temperature": ["warm"]}, {"q": "globex"}, {"score_band": "none"}],
)
def test_both_plans_page_through_the_same_rows_in_the_same_order(
    org: Org, sort: str, filters: dict[str, Any]
) -> None:
    _spread(org)
    plan = lead_plan(actor=org.manager)
    plain = lead_list(actor=org.manager, filters=LeadFilters(sort=sort, **filters))
    branched = lead_list(actor=org.manager, filters=LeadFilters(sort=sort, **filters), plan=plan)
    expected = [lead.pk for lead in plain]
    assert expected, "the scenario should match something"
    assert _walk(plain, sort, None) == expected
    assert _walk(branched, sort, plan) == expected
    # Branches built without the repeated visibility rule give the same rows too.
    base = branch_base(LeadFilters(sort=sort, **filters), plan)
    assert _walk(branched, sort, plan, base) == expected


@pytest.mark.parametrize("cap", [2, 5, 1000])
def test_both_plans_count_the_same(org: Org, cap: int) -> None:
    _spread(org)
    plan = lead_plan(actor=org.manager)
    for filters in (LeadFilters(), LeadFilters(q="globex"), LeadFilters(status=["mql"])):
        plain = lead_list(actor=org.manager, filters=filters)
        branched = lead_list(actor=org.manager, filters=filters, plan=plan)
        assert capped_count(branched, cap=cap, plan=plan) == capped_count(plain, cap=cap)
        base = branch_base(filters, plan)
        assert capped_count(branched, cap=cap, plan=plan, base=base) == capped_count(plain, cap=cap)


def test_the_managers_list_page_shows_shared_leads_once_and_hides_strangers(org: Org) -> None:
    _spread(org)
    response: Any = client_for(org.manager).get(reverse("leads:list") + "?q=globex")
    rows = [lead.pk for lead in response.context["rows"]]
    assert len(rows) == len(set(rows))
    companies = {lead.company for lead in response.context["rows"]}
    assert {"Globex shared", "Globex twice"} <= companies
    assert "Globex gone" not in companies
    visible_owners = {org.manager.pk, org.rep.pk, org.teammate.pk}
    assert all(
        lead.owner_id in visible_owners or lead.company == "Globex shared"
        for lead in response.context["rows"]
    )
    assert response.context["count"] == len(
        lead_list(actor=org.manager, filters=LeadFilters(q="globex"))
    )


def test_a_branch_names_its_owner_once_so_the_planner_walks_the_owner_index(org: Org) -> None:
    from django.db import connection

    LeadFactory.create_batch(3, owner=org.rep)
    plan = lead_plan(actor=org.manager)
    base = branch_base(LeadFilters(), plan)
    assert plan.scope is not None
    assert base is not None
    sql, params = base.filter(owner_id=org.rep.pk).values("id")[:51].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        explained = "\n".join(row[0] for row in cursor.fetchall())
    assert "= ANY" not in explained, explained  # no owner_id IN (…) beside owner_id = X
