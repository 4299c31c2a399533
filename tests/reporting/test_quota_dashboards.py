"""The dashboards against quota: my attainment on the rep's, the team's attainment,
forecast vs quota and attainment by rep on the manager's, the company's on the admin's;
every figure equal to one computed here from the raw rows, in a constant number of queries."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forecasting import periods
from forecasting.models import Quota
from pipeline.models import Deal, StageKind
from tests.conftest import Org, client_for
from tests.crm.factories import UserFactory
from tests.forecasting.factories import open_deal, pipeline, quota, won_deal

pytestmark = pytest.mark.django_db


def _quarter() -> periods.Period:
    return periods.current(periods.QUARTER, 1)


def _setup(org: Org) -> None:
    q = _quarter()
    pipe = pipeline()
    quota(q.key, "10000", user=org.rep)
    quota(q.key, "5000", user=org.teammate)
    quota(q.key, "20000", team=org.east)
    quota(q.key, "50000")
    won_deal(pipe, org.rep, "4000", q.start)
    won_deal(pipe, org.rep, "2000", q.start)
    won_deal(pipe, org.teammate, "1000", q.start)
    won_deal(pipe, org.stranger, "3000", q.start)
    won_deal(pipe, org.rep, "9999", q.start - timedelta(days=1))  # last quarter
    gone = won_deal(pipe, org.rep, "7777", q.start)
    gone.deleted_at = timezone.now()
    gone.save()
    open_deal(pipe, org.rep, "3000", q.last_day, category="commit")


def _expected_won(owners: list[int]) -> Decimal:
    """Won in the quarter, from the raw rows, in Python."""
    q = _quarter()
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(q.start, time.min, zone)
    end = datetime.combine(q.end, time.min, zone)
    return sum(
        (
            d.amount
            for d in Deal.objects.filter(owner_id__in=owners, stage__kind=StageKind.WON)
            if d.deleted_at is None and d.closed_at and start <= d.closed_at < end
        ),
        Decimal(0),
    )


def _quota_of(**target: object) -> Decimal:
    return Quota.objects.get(period_key=_quarter().key, **target).amount


def test_the_rep_sees_their_attainment_against_quota(org: Org) -> None:
    _setup(org)
    block = client_for(org.rep).get(reverse("reporting:rep")).context["quota"]
    won = _expected_won([org.rep.pk])
    assert block.total.won == won == Decimal("6000")
    assert block.total.quota == _quota_of(user=org.rep)
    assert block.total.percent == (won * 100 / _quota_of(user=org.rep)).quantize(Decimal("0.1"))
    assert block.total.gap == _quota_of(user=org.rep) - won
    assert block.reps == []


def test_the_manager_sees_team_attainment_forecast_and_each_rep(org: Org) -> None:
    _setup(org)
    response = client_for(org.manager).get(reverse("reporting:manager"), {"team": org.east.pk})
    block = response.context["quota"]
    won = _expected_won([org.rep.pk, org.teammate.pk])
    assert block.scope.key == f"team:{org.east.pk}"
    assert (block.total.won, block.total.quota) == (won, _quota_of(team=org.east))
    assert block.total.percent == Decimal("35.0")
    by_source = {f["key"]: f for f in block.forecasts}
    assert by_source["rep_commit"]["value"] == won + Decimal("3000")
    assert by_source["rep_commit"]["percent"] == Decimal("50.0")
    reps = {r.scope_key: r for r in block.reps}
    assert reps[f"user:{org.rep.pk}"].percent == Decimal("60.0")
    assert reps[f"user:{org.teammate.pk}"].percent == Decimal("20.0")
    assert f"user:{org.stranger.pk}" not in reps
    page = response.content.decode()
    assert 'id="attainment-by-rep-chart"' in page
    assert 'id="quota-reps-table"' in page
    # Drillable: the rep's closed won opens exactly those deals.
    listed = client_for(org.manager).get(reps[f"user:{org.rep.pk}"].won_url)
    assert listed.status_code == 200
    q = _quarter()
    for deal in Deal.objects.alive().filter(owner=org.rep, stage__kind=StageKind.WON):
        shown = deal.name in listed.content.decode()
        assert shown == (deal.closed_at is not None and deal.closed_at.date() >= q.start)


def test_the_company_view_shows_company_attainment_and_teams(org: Org) -> None:
    _setup(org)
    block = client_for(org.admin).get(reverse("reporting:admin")).context["quota"]
    won = _expected_won(list(Deal.objects.values_list("owner_id", flat=True)))
    assert block.total.won == won == Decimal("10000")
    assert block.total.percent == Decimal("20.0")
    teams = {r.scope_key: r for r in block.teams}
    assert teams[f"team:{org.east.pk}"].won == Decimal("7000")
    assert teams[f"team:{org.west.pk}"].won == Decimal("3000")


def test_the_quota_block_costs_the_same_queries_for_more_reps_and_deals(org: Org) -> None:
    _setup(org)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            client_for(org.manager).get(reverse("reporting:manager"), {"team": org.east.pk})
        return len(captured.captured_queries)

    count()  # warm the caches (fiscal calendar, session)
    small = count()
    pipe = Deal.objects.filter(owner=org.rep).first().pipeline  # type: ignore[union-attr]
    q = _quarter()
    for i in range(5):
        person = UserFactory(team=org.east, email=f"more{i}@test.example")
        quota(q.key, "1000", user=person)
        for _ in range(3):
            won_deal(pipe, person, "100", q.start)
    assert count() == small


def test_a_period_ending_in_another_quarter_shows_that_quarter(org: Org) -> None:
    _setup(org)
    response = client_for(org.rep).get(
        reverse("reporting:rep"), {"date_from": "2025-01-01", "date_to": "2025-02-15"}
    )
    block = response.context["quota"]
    assert block.period.key == "FY2025-Q1"
    assert block.total.quota is None
    assert date(2025, 1, 1) == block.period.start
