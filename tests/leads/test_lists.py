"""The list: filters, keyset pages, constant queries, CSV export; visibility everywhere."""

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from leads.models import Lead
from tests.conftest import Org, client_for
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def count_queries(client: object, url: str, django_assert_max_num_queries: object) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_runs_the_same_queries_for_10_and_200_leads(
    org: Org, django_assert_max_num_queries: object
) -> None:
    client = client_for(org.manager)
    url = reverse("leads:list")
    LeadFactory.create_batch(10, owner=org.rep)
    client.get(url)  # the first request of a session writes it; later ones don't
    few = count_queries(client, url, django_assert_max_num_queries)
    LeadFactory.create_batch(190, owner=org.teammate)
    many = count_queries(client, url, django_assert_max_num_queries)
    assert few == many


def test_pages_walk_the_whole_list_without_repeats(org: Org) -> None:
    LeadFactory.create_batch(120, owner=org.rep)
    client = client_for(org.rep)
    seen: list[int] = []
    url: Any = reverse("leads:list") + "?sort=name"
    while url:
        response: Any = client.get(url)
        seen += [lead.pk for lead in response.context["rows"]]
        url = response.context["next_url"] and reverse("leads:list") + response.context["next_url"]
    assert len(seen) == len(set(seen)) == 120


@pytest.mark.parametrize("sort", ["-created", "created", "name", "-score"])
def test_every_sort_pages_through_everything(org: Org, sort: str) -> None:
    from leads.selectors import LeadFilters, lead_list, lead_page

    for i in range(7):
        LeadFactory(owner=org.rep, score=None if i % 3 == 0 else i * 10)
    leads = lead_list(actor=org.rep, filters=LeadFilters(sort=sort))
    seen, cursor = [], ""
    while True:
        page = lead_page(leads, sort=sort, cursor=cursor, size=2)
        seen += [lead.pk for lead in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == [lead.pk for lead in leads]


def test_filters_narrow_the_list(org: Org) -> None:
    hot: Any = LeadFactory(owner=org.rep, temperature="hot", status="mql", score=80)
    LeadFactory(owner=org.rep, temperature="cold", status="suspect", score=10)
    client = client_for(org.rep)
    for query in ("temperature=hot", "status=mql", "score_band=A", f"q={hot.email[:8]}"):
        rows = client.get(reverse("leads:list") + "?" + query).context["rows"]
        assert [r.pk for r in rows] == [hot.pk], query


def test_a_rep_sees_only_their_leads_and_a_stranger_gets_404(org: Org) -> None:
    mine = LeadFactory(owner=org.rep)
    theirs = LeadFactory(owner=org.stranger)
    client = client_for(org.rep)
    rows = client.get(reverse("leads:list")).context["rows"]
    assert [r.pk for r in rows] == [mine.pk]
    assert client.get(reverse("leads:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("lead-detail", args=[theirs.pk])).status_code == 404
    ids = [r["id"] for r in client.get(reverse("lead-list")).json()["results"]]
    assert ids == [mine.pk]


def test_the_export_is_formula_safe_and_holds_only_visible_leads(org: Org) -> None:
    LeadFactory(owner=org.rep, company='=HYPERLINK("http://evil")')
    LeadFactory(owner=org.stranger, company="Hidden Inc")
    response = client_for(org.rep).get(reverse("leads:export"))
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 2
    assert rows[1][5].startswith("'=")
    assert "Hidden Inc" not in body


def test_the_count_is_capped_instead_of_counting_everything(org: Org) -> None:
    from leads.selectors import capped_count

    LeadFactory.create_batch(5, owner=org.rep)
    assert capped_count(Lead.objects.all(), cap=3) == (3, True)
    assert capped_count(Lead.objects.all(), cap=10) == (5, False)


def test_bulk_assign_from_the_list_page(org: Org) -> None:
    leads = LeadFactory.create_batch(3, owner=org.rep)
    response = client_for(org.manager).post(
        reverse("leads:bulk"),
        {"action": "assign", "ids": [lead.pk for lead in leads], "owner": org.teammate.pk},
    )
    assert response.status_code == 302
    assert Lead.objects.filter(owner=org.teammate).count() == 3


def test_the_api_creates_transitions_and_filters(org: Org) -> None:
    client = client_for(org.rep)
    created = client.post(
        reverse("lead-list"),
        {"last_name": "Api", "email": "api@x.example", "timeframe": "immediate"},
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    moved = client.post(
        reverse("lead-transition", args=[pk]), {"to_status": "sql"}, content_type="application/json"
    )
    assert moved.json()["status"] == "sql"
    refused = client.post(
        reverse("lead-transition", args=[pk]),
        {"to_status": "disqualified"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"reason": ["Say why the lead is disqualified."]}
    bad = client.post(reverse("lead-list"), {"email": "nope"}, content_type="application/json")
    assert bad.status_code == 400
    hot = client.get(reverse("lead-list") + "?temperature=hot").json()["results"]
    assert [r["id"] for r in hot] == [pk]


def test_hot_leads_for_my_day_are_the_reps_open_hot_leads(org: Org) -> None:
    from leads.selectors import hot_leads_for_my_day

    hot = LeadFactory(owner=org.rep, temperature="hot")
    LeadFactory(owner=org.rep, temperature="hot", status="converted")
    LeadFactory(owner=org.teammate, temperature="hot")
    assert hot_leads_for_my_day(actor=org.rep) == [hot]
