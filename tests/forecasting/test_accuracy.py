"""The statistical forecast beside the reps' commit and the manager's number, and the
forecast accuracy table: what each source said at the start and mid-period against what
closed, accuracy = max(0, 1 - |actual - forecast| / actual)."""

import datetime as dt
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.conf import settings

from forecasting import periods, services
from forecasting.accuracy import accuracy, accuracy_table
from forecasting.models import ForecastSnapshot
from forecasting.scopes import Scope
from forecasting.snapshots import snapshot_take
from tests.conftest import Org, api_client_for, client_for
from tests.forecasting.factories import open_deal, pipeline, won_deal
from tests.forecasting.series import load_won

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)
Q3 = periods.quarter_period(2026, 3, 1)  # July - September 2026


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), ZoneInfo(settings.TIME_ZONE))


def _snapshot(scope: str, day: date, **figures: str) -> ForecastSnapshot:
    return ForecastSnapshot.objects.create(
        scope=scope,
        period_key=Q3.key,
        period_start=Q3.start,
        period_end=Q3.end,
        week=day - dt.timedelta(days=day.weekday()),
        taken_at=_at(day),
        **{k: Decimal(v) for k, v in figures.items()},
    )


def test_accuracy_is_one_minus_the_relative_error_and_never_negative() -> None:
    assert accuracy(Decimal("3000"), Decimal("2000")) == pytest.approx(0.6667, abs=1e-4)
    assert accuracy(Decimal("3000"), Decimal("4500")) == 0.5
    assert accuracy(Decimal("1000"), Decimal("5000")) == 0.0
    assert accuracy(Decimal("0"), Decimal("10")) is None
    assert accuracy(Decimal("10"), None) is None


def test_the_table_scores_every_source_at_the_start_and_mid_period(org: Org) -> None:
    # 1,000 won on the 15th of every month from July 2024 to September 2026: Q3 closed 3,000.
    load_won(org.rep, date(2024, 7, 1), np.full(27, 1000.0))
    _snapshot("user:" + str(org.rep.pk), date(2026, 7, 1), commit="2000", weighted="1500",
              commit_adjusted="2500")  # fmt: skip
    _snapshot("user:" + str(org.rep.pk), date(2026, 8, 10), won="2000", commit="500",
              weighted="800")  # fmt: skip
    _snapshot("user:" + str(org.rep.pk), date(2026, 9, 7), won="2900", commit="100")
    table = accuracy_table(
        actor=org.manager,
        scope=Scope("user", user=org.rep),
        kind=periods.QUARTER,
        count=1,
        today=TODAY,
    )
    (row,) = table.rows
    assert row.period.key == "FY2026-Q3"
    assert row.actual == Decimal("3000.00")
    start, mid = row.points
    assert (start.point, start.day, mid.point, mid.day) == (
        "start",
        date(2026, 7, 1),
        "mid",
        date(2026, 8, 10),  # the last snapshot on or before 16 August, the middle day
    )
    assert start.forecasts["rep_commit"] == 2000.0
    assert start.forecasts["manager"] == 2500.0
    assert start.forecasts["weighted_pipeline"] == 1500.0
    assert start.accuracy["rep_commit"] == pytest.approx(2 / 3, abs=1e-4)
    assert start.accuracy["manager"] == pytest.approx(5 / 6, abs=1e-4)
    assert start.accuracy["weighted_pipeline"] == 0.5
    assert mid.forecasts["rep_commit"] == 2500.0
    assert mid.forecasts["manager"] == 2500.0  # nobody had adjusted it: the deals' commit
    assert mid.forecasts["weighted_pipeline"] == 2800.0
    assert mid.accuracy["weighted_pipeline"] == pytest.approx(0.9333, abs=1e-4)
    # The statistical forecast of a flat 1,000 a month: about 3,000 from either day.
    assert start.forecasts["statistical"] == pytest.approx(3000, rel=0.02)
    assert mid.forecasts["statistical"] == pytest.approx(3000, rel=0.02)
    averages = table.average()
    assert averages["start"]["rep_commit"] == pytest.approx(2 / 3, abs=1e-4)


def test_the_statistical_figure_as_of_a_day_ignores_deals_closed_after_it(org: Org) -> None:
    load_won(org.rep, date(2024, 7, 1), np.full(24, 1000.0))  # to June 2026
    pipe = pipeline()
    won_deal(pipe, org.rep, "90000", date(2026, 7, 20))  # a windfall inside Q3
    table = accuracy_table(
        actor=org.admin,
        scope=Scope("user", user=org.rep),
        kind=periods.QUARTER,
        count=1,
        today=TODAY,
    )
    start, mid = table.rows[0].points
    assert table.rows[0].actual == Decimal("90000.00")
    assert start.snapshot_week is None  # no snapshot: the nominal first day
    assert start.forecasts["rep_commit"] is None
    assert start.forecasts["statistical"] == pytest.approx(3000, rel=0.02)
    # Mid-period (16 August), July is over and counts as it closed, plus August and
    # September as forecast from a history that now holds the windfall.
    assert (mid.forecasts["statistical"] or 0) > 90000


def test_snapshots_keep_the_weighted_pipeline_and_the_commit_after_adjustments(
    org: Org,
) -> None:
    pipe = pipeline()
    span = periods.quarter_period(2026, 1, 1)
    deal = open_deal(pipe, org.rep, "1000", date(2026, 2, 10), category="commit")
    deal.probability = 40
    deal.save()
    open_deal(pipe, org.teammate, "500", date(2026, 2, 11), category="commit")
    services.adjustment_set(
        actor=org.manager,
        scope=f"user:{org.rep.pk}",
        period=span.key,
        category="commit",
        amount="700",
        note="Slipping",
    )
    snapshot_take(today=date(2026, 1, 5), spans=[span])
    rows = {s.scope: s for s in ForecastSnapshot.objects.filter(period_key=span.key)}
    rep = rows[f"user:{org.rep.pk}"]
    assert (rep.commit, rep.commit_adjusted, rep.weighted) == (
        Decimal("1000.00"),
        Decimal("700.00"),
        Decimal("400.00"),
    )
    assert rows[f"user:{org.teammate.pk}"].commit_adjusted is None
    assert rows[f"team:{org.east.pk}"].commit_adjusted == Decimal("1200.00")
    assert rows[f"team:{org.sales.pk}"].commit_adjusted == Decimal("1200.00")
    assert rows["company"].commit_adjusted == Decimal("1200.00")
    assert rows["company"].commit == Decimal("1500.00")


def test_the_forecast_api_gives_the_statistical_number_beside_commit(org: Org) -> None:
    load_won(org.rep, date(2023, 1, 1), np.full(40, 1000.0))
    pipe = pipeline()
    this_quarter = periods.current(periods.QUARTER, 1)
    open_deal(pipe, org.rep, "800", this_quarter.last_day, category="commit")
    response = api_client_for(org.manager).get(
        f"/api/v1/forecasts/?scope=user:{org.rep.pk}&period={this_quarter.key}"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    stat = body["statistical"]
    assert stat["method"]
    assert stat["low_80"] <= stat["value"] <= stat["high_80"]
    total = body["total"]
    won = Decimal(total["won"]["amount"])
    assert Decimal(total["forecasts"]["rep_commit"]) == won + Decimal("800")
    assert Decimal(total["forecasts"]["manager"]) == won + Decimal("800")
    page = client_for(org.manager).get(
        f"/forecast/?scope=user:{org.rep.pk}&period={this_quarter.key}"
    )
    assert 'data-source="statistical"' in page.content.decode()
    assert "80 %" in page.content.decode()


def test_the_accuracy_api_and_section_answer_and_hide_other_scopes(org: Org) -> None:
    load_won(org.rep, date(2025, 1, 1), np.full(12, 500.0))
    client = api_client_for(org.manager)
    response = client.get(f"/api/v1/forecasts/accuracy/?scope=user:{org.rep.pk}&periods=2")
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["periods"]) == 2
    assert set(body["periods"][0]["points"][0]["forecasts"]) == {
        "rep_commit",
        "manager",
        "weighted_pipeline",
        "statistical",
    }
    assert client.get("/api/v1/forecasts/accuracy/?periods=99").status_code == 400
    assert client.get("/api/v1/forecasts/accuracy/?kind=week").status_code == 400
    hidden = client.get(f"/api/v1/forecasts/accuracy/?scope=user:{org.stranger.pk}")
    assert hidden.status_code == 404
    section = client_for(org.manager).get(f"/forecast/accuracy/?scope=user:{org.rep.pk}")
    assert section.status_code == 200
    assert "Forecast accuracy" in section.content.decode()
    assert (
        client_for(org.rep).get(f"/forecast/accuracy/?scope=user:{org.stranger.pk}").status_code
        == 404
    )
