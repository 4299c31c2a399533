"""The lead page loads its "Possible duplicates" panel after the page (htmx), so a slow
similarity search never holds the page; the panel is cached per viewer and lead version."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.models import Lead
from tests.conftest import Org, client_for
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _twins(org: Org) -> tuple[Lead, Lead]:
    lead = LeadFactory(owner=org.rep, first_name="Ada", last_name="Wright", company="Soylent")
    twin = LeadFactory(owner=org.rep, first_name="Ada", last_name="Wrigth", company="Soylent")
    return lead, twin


def test_the_lead_page_asks_for_the_panel_instead_of_searching_itself(org: Org) -> None:
    lead, twin = _twins(org)
    client = client_for(org.rep)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(f"/leads/{lead.pk}/").content.decode()
    assert f'hx-get="/leads/{lead.pk}/duplicates/"' in body
    assert not any("similarity" in q["sql"].lower() for q in captured.captured_queries)
    panel = client.get(f"/leads/{lead.pk}/duplicates/").content.decode()
    assert f"/leads/{twin.pk}/" in panel
    assert "Merge into this lead" in panel


def test_the_panel_is_cached_until_the_lead_changes(org: Org) -> None:
    lead, twin = _twins(org)
    client = client_for(org.rep)
    client.get(f"/leads/{lead.pk}/duplicates/")
    with CaptureQueriesContext(connection) as captured:
        again = client.get(f"/leads/{lead.pk}/duplicates/").content.decode()
    assert f"/leads/{twin.pk}/" in again
    assert not any("similarity" in q["sql"].lower() for q in captured.captured_queries)

    lead.last_name = "Lovelace"
    lead.company = "Analytical Engines"
    lead.save()
    twin_gone = client.get(f"/leads/{lead.pk}/duplicates/").content.decode()
    assert f"/leads/{twin.pk}/" not in twin_gone


def test_each_viewer_gets_their_own_panel(org: Org) -> None:
    lead = LeadFactory(owner=org.rep, first_name="Ada", last_name="Wright", company="Soylent")
    hidden = LeadFactory(
        owner=org.stranger, first_name="Ada", last_name="Wright", company="Soylent"
    )
    admin_panel = client_for(org.admin).get(f"/leads/{lead.pk}/duplicates/").content.decode()
    assert f"/leads/{hidden.pk}/" in admin_panel
    rep_panel = client_for(org.rep).get(f"/leads/{lead.pk}/duplicates/").content.decode()
    assert f"/leads/{hidden.pk}/" not in rep_panel
    assert "A lead owned by someone else" in rep_panel


def test_the_panel_of_a_lead_you_cannot_see_is_404(org: Org) -> None:
    hidden = LeadFactory(owner=org.stranger)
    assert client_for(org.rep).get(f"/leads/{hidden.pk}/duplicates/").status_code == 404
