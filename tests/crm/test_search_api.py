"""GET /api/v1/search/: the global search of the pages, typo tolerant, scoped to the caller."""

import pytest
from rest_framework.test import APIClient

from tests.conftest import Org
from tests.conftest import api_client_for as _api
from tests.crm.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_the_api_finds_what_the_top_bar_finds_despite_typos(org: Org) -> None:
    AccountFactory(owner=org.rep, name="Brightwater Logistics", domain="brightwater.io")
    response = _api(org.rep).get("/api/v1/search/", {"q": "Brigthwater"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["title"] for r in results] == ["Brightwater Logistics"]
    assert results[0]["url"].startswith("http")


def test_the_api_search_shows_only_records_the_caller_may_see(org: Org) -> None:
    ContactFactory(owner=org.stranger, first_name="Katarina", last_name="Nowakowska")
    assert _api(org.rep).get("/api/v1/search/", {"q": "Katarina"}).json()["results"] == []
    found = _api(org.admin).get("/api/v1/search/", {"q": "Katarina"}).json()["results"]
    assert [r["title"] for r in found] == ["Katarina Nowakowska"]


def test_a_missing_or_bad_query_is_a_400_with_the_error_shape(org: Org) -> None:
    api = _api(org.rep)
    assert api.get("/api/v1/search/").json()["error"]["fields"]["q"]
    assert api.get("/api/v1/search/", {"q": "x", "limit": 500}).status_code == 400
    assert APIClient().get("/api/v1/search/", {"q": "x"}).status_code in (401, 403)
