"""An importer sees that assignment rules will pick owners, can keep the rows, and is told
who got how many."""

import pytest
from django.urls import reverse

from leads.models import Lead
from tests.conftest import Org, client_for
from tests.imports.conftest import import_file, upload
from tests.leads.factories import AssignmentRuleFactory

pytestmark = pytest.mark.django_db

ROWS = "Email,Company\na@example.com,A\nb@example.com,B\nc@example.com,C\n"


def test_the_mapping_step_says_rules_assign_owners_and_offers_keep_me(org: Org) -> None:
    AssignmentRuleFactory(action="round_robin", team=org.east)
    job = upload(org.rep, "leads", ROWS)
    body = client_for(org.rep).get(reverse("imports:mapping", args=[job.pk])).content.decode()
    assert "Assignment rules are on" in body
    assert "Keep me as owner" in body


def test_keep_me_as_owner_keeps_every_row_with_the_importer(org: Org) -> None:
    AssignmentRuleFactory(action="user", user=org.teammate)
    job = import_file(org.rep, "leads", ROWS, options={"keep_owner": True})
    assert job.imported == 3
    assert set(Lead.objects.values_list("owner", flat=True)) == {org.rep.pk}


def test_the_report_lists_who_got_how_many_rows(org: Org) -> None:
    AssignmentRuleFactory(action="round_robin", team=org.east)
    job = import_file(org.rep, "leads", ROWS)
    body = client_for(org.rep).get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "Who owns the imported rows" in body
    assert f"{org.rep.full_name}: 2 rows" in body or f"{org.teammate.full_name}: 2 rows" in body
