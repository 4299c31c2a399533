"""A manager's global search over leads walks each owner's index and returns the same rows."""

import pytest

from crm.search import parse
from leads.search import LeadSearch
from tests.conftest import Org
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_a_managers_lead_search_finds_the_teams_leads_newest_first_and_no_strangers(
    org: Org,
) -> None:
    older = LeadFactory(owner=org.rep, company="Acme Rockets", first_name="Old")
    newer = LeadFactory(owner=org.teammate, company="Acme Foods", first_name="New")
    LeadFactory(owner=org.stranger, company="Acme Hidden")
    LeadFactory(owner=org.rep, company="Globex")

    results = LeadSearch().search(actor=org.manager, match=parse("acme"), limit=10)

    assert [r.url for r in results] == [f"/leads/{newer.pk}/", f"/leads/{older.pk}/"]
