"""GET /api/v1/<records>/{id}/timeline/: the record page's timeline, for API clients."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.models import User
from crm.selectors.timeline import timeline_for
from tests.conftest import Org
from tests.conftest import api_client_for as _api
from tests.crm.factories import AccountFactory, ActivityFactory, ContactFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = {"account": "accounts", "contact": "contacts", "lead": "leads", "deal": "deals"}


def _record(kind: str, owner: User) -> Model:
    makers: dict[str, Any] = {
        "account": AccountFactory,
        "contact": ContactFactory,
        "lead": LeadFactory,
        "deal": DealFactory,
    }
    record: Model = makers[kind](owner=owner)
    return record


def _log(kind: str, record: Model, owner: User, count: int) -> None:
    now = timezone.now()
    links = {"account": None, kind: record}
    for n in range(count):
        ActivityFactory(owner=owner, occurred_at=now - timedelta(minutes=n % 7), **links)


def _url(kind: str, record: Model) -> str:
    return f"/api/v1/{ENDPOINTS[kind]}/{record.pk}/timeline/"


@pytest.mark.parametrize("kind", list(ENDPOINTS))
def test_the_timeline_returns_the_same_rows_as_the_record_page(org: Org, kind: str) -> None:
    record = _record(kind, org.rep)
    _log(kind, record, org.rep, 3)
    _log(kind, record, org.teammate, 2)
    _log(kind, _record(kind, org.rep), org.rep, 2)  # another record's history stays out

    response = _api(org.rep).get(_url(kind, record))

    assert response.status_code == 200
    page = timeline_for(actor=org.rep, **{kind: record})
    assert [row["id"] for row in response.json()["results"]] == [a.pk for a in page.rows]
    assert len(page.rows) == 5
    assert response.json()["next"] is None


@pytest.mark.parametrize("kind", list(ENDPOINTS))
def test_a_hidden_records_timeline_is_a_404(org: Org, kind: str) -> None:
    record = _record(kind, org.stranger)
    _log(kind, record, org.stranger, 1)

    assert _api(org.rep).get(_url(kind, record)).status_code == 404
    assert _api(org.manager).get(_url(kind, record)).status_code == 404
    assert _api(org.stranger_manager).get(_url(kind, record)).status_code == 200


def test_an_activity_someone_else_logged_on_my_account_shows_on_its_timeline(org: Org) -> None:
    account = AccountFactory(owner=org.rep)
    theirs = ActivityFactory(owner=org.stranger, account=account, subject="Their call")
    client = _api(org.rep)

    listed = client.get("/api/v1/activities/", {"account": account.pk}).json()["results"]
    timeline = client.get(_url("account", account)).json()["results"]

    assert theirs.pk not in [row["id"] for row in listed]
    assert [(row["id"], row["owner"], row["subject"]) for row in timeline] == [
        (theirs.pk, org.stranger.pk, "Their call")
    ]


def test_the_timeline_pages_newest_first_by_cursor(org: Org) -> None:
    account = AccountFactory(owner=org.rep)
    _log("account", account, org.rep, 25)
    client = _api(org.rep)

    first = client.get(_url("account", account), {"page_size": 10}).json()
    second = client.get(first["next"]).json()
    third = client.get(_url("account", account), {"cursor": second["next_cursor"], "page_size": 10})

    rows = first["results"] + second["results"] + third.json()["results"]
    assert [len(first["results"]), len(second["results"]), len(third.json()["results"])] == [
        10,
        10,
        5,
    ]
    everything = timeline_for(actor=org.rep, account=account, size=100).rows
    assert [row["id"] for row in rows] == [a.pk for a in everything]
    assert third.json()["next"] is None
    assert third.json()["next_cursor"] == ""


def test_a_page_size_out_of_range_is_a_400_in_the_error_shape(org: Org) -> None:
    account = AccountFactory(owner=org.rep)

    response = _api(org.rep).get(_url("account", account), {"page_size": 0})

    assert response.status_code == 400
    assert "page_size" in str(response.json())


@pytest.mark.parametrize("user_name", ["rep", "manager", "admin"])
def test_the_timeline_costs_the_same_queries_however_long_it_is(org: Org, user_name: str) -> None:
    user: User = getattr(org, user_name)
    short, long = AccountFactory(owner=org.rep), AccountFactory(owner=org.rep)
    _log("account", short, org.rep, 2)
    _log("account", long, org.teammate, 40)
    client = _api(user)
    client.get(_url("account", short))  # warm the content-type cache

    counts = []
    for account in (short, long):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url("account", account)).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert counts[1] <= 10
