"""Lists sort by clicking a column header, both ways, keeping the filters and the keyset
paging of the chosen sort."""

import re

import pytest

from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory

pytestmark = pytest.mark.django_db


def _header_href(body: str, label: str) -> str:
    match = re.search(r'<a class="sort-link" href="\?([^"]*)" aria-label="' + label, body)
    assert match, f"no sortable header {label!r}"
    return match.group(1).replace("&amp;", "&")


def test_the_name_header_sorts_accounts_a_to_z_then_z_to_a(org: Org) -> None:
    for name in ("Beta", "Alpha", "Gamma"):
        AccountFactory(owner=org.rep, name=name)
    client = client_for(org.rep)
    body = client.get("/accounts/?segment=&sort=name").content.decode()
    href = _header_href(body, "Name")
    assert "sort=-name" in href
    reversed_body = client.get(f"/accounts/?{href}").content.decode()
    assert reversed_body.index("Gamma") < reversed_body.index("Beta") < reversed_body.index("Alpha")
    assert "sort=name" in _header_href(reversed_body, "Name")


def test_a_header_link_keeps_the_filters_and_drops_the_page_position(org: Org) -> None:
    AccountFactory(owner=org.rep, name="Only")
    body = client_for(org.rep).get("/accounts/?q=on&after=abc&sort=name").content.decode()
    href = _header_href(body, "Name")
    assert "q=on" in href
    assert "after=" not in href


@pytest.mark.parametrize("viewer", ["rep", "manager"])
def test_leads_sort_by_name_z_to_a_across_pages(org: Org, viewer: str) -> None:
    names = [f"Name{i:03d}" for i in range(60)]
    for i, last in enumerate(names):
        LeadFactory(owner=org.rep if i % 2 else org.teammate, last_name=last, first_name="X")
    client = client_for(getattr(org, viewer) if viewer == "manager" else org.rep)
    first = client.get("/leads/?sort=-name")
    rows = [lead.last_name for lead in first.context["rows"]]
    expected = sorted(names if viewer == "manager" else names[1::2], reverse=True)
    assert rows == expected[: len(rows)]
    if first.context["next_url"]:
        second = client.get("/leads/" + first.context["next_url"])
        more = [lead.last_name for lead in second.context["rows"]]
        assert rows + more == expected[: len(rows) + len(more)]
    assert "sort=name" in _header_href(first.content.decode(), "Name")


def test_deals_sort_by_amount_largest_first_from_the_header(org: Org) -> None:
    for amount in (300, 100, 200):
        DealFactory(owner=org.rep, name=f"Deal {amount}", amount=amount)
    client = client_for(org.rep)
    body = client.get("/deals/").content.decode()
    href = _header_href(body, "Amount")
    assert "sort=-amount" in href
    largest_first = client.get(f"/deals/?{href}").content.decode()
    assert largest_first.index("Deal 300") < largest_first.index("Deal 200")
    by_name_desc = client.get("/deals/?sort=-name").content.decode()
    assert by_name_desc.index("Deal 300") < by_name_desc.index("Deal 100")
