"""Won revenue by month and the pipeline estimate, read from deals in PostgreSQL."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.test import override_settings

from forecasting.statistical.months import start_of_day
from forecasting.statistical.scope import parse_scope
from forecasting.statistical.selectors import (
    open_deals,
    scope_deals,
    won_revenue_series,
)
from pipeline.models import Deal, StageHistory, StageKind
from tests.conftest import Org
from tests.forecasting.series import load_won
from tests.pipeline.factories import make_currency, make_pipeline, open_stages

pytestmark = pytest.mark.django_db


def _series(org: Org, scope: str, as_of: dt.date) -> tuple[dt.date | None, list[float]]:
    series = won_revenue_series(scope_deals(org.admin, parse_scope(org.admin, scope)), as_of)
    return series.first, series.values.tolist()


def test_months_without_wins_are_zero_and_as_of_cuts_the_history(org: Org) -> None:
    pipeline = make_pipeline()
    load_won(org.rep, dt.date(2025, 1, 1), np.array([100.0, 0.0, 0.0, 400.0, 500.0]), pipeline)
    Deal.objects.filter(amount=0).delete()  # months 2 and 3: no deal at all
    first, values = _series(org, "company", dt.date(2025, 5, 20))
    assert first == dt.date(2025, 1, 1)
    # May is the month of as_of: the first forecast month, left out of the history.
    assert values == [100.0, 0.0, 0.0, 400.0]


@override_settings(TIME_ZONE="America/New_York")
def test_a_deal_belongs_to_the_month_of_its_close_in_the_company_time_zone(org: Org) -> None:
    pipeline = make_pipeline()
    won = pipeline.stages.get(kind=StageKind.WON)
    # 2025-02-01 02:00 UTC is still 31 January in New York.
    closed = dt.datetime(2025, 2, 1, 2, 0, tzinfo=dt.UTC)
    Deal.objects.create(
        name="Late",
        owner=org.rep,
        pipeline=pipeline,
        stage=won,
        amount=Decimal(70),
        closed_at=closed,
    )
    first, values = _series(org, "company", dt.date(2025, 3, 1))
    assert first == dt.date(2025, 1, 1)
    assert values == [70.0, 0.0]


def test_only_won_deals_in_the_scope_count_in_the_company_currency(org: Org) -> None:
    make_currency("EUR", "1.10")
    pipeline = make_pipeline()
    lost = pipeline.stages.get(kind=StageKind.LOST)
    load_won(org.rep, dt.date(2025, 1, 1), np.array([100.0]), pipeline)
    load_won(org.stranger, dt.date(2025, 1, 1), np.array([1000.0]), pipeline)
    Deal.objects.filter(owner=org.rep).update(currency="EUR")
    Deal.objects.create(
        name="Lost",
        owner=org.rep,
        pipeline=pipeline,
        stage=lost,
        amount=Decimal(999),
        closed_at=start_of_day(dt.date(2025, 1, 10)),
    )
    # The rep's team rolls up into the manager's team.
    assert _series(org, f"team:{org.sales.pk}", dt.date(2025, 2, 1))[1] == [110.0]
    assert _series(org, f"user:{org.stranger.pk}", dt.date(2025, 2, 1))[1] == [1000.0]
    assert _series(org, "company", dt.date(2025, 2, 1))[1] == [1110.0]


def test_soft_deleted_deals_are_left_out(org: Org) -> None:
    load_won(org.rep, dt.date(2025, 1, 1), np.array([100.0, 200.0]))
    Deal.objects.filter(amount=200).update(deleted_at=start_of_day(dt.date(2025, 3, 1)))
    assert _series(org, "company", dt.date(2025, 3, 1))[1] == [100.0, 0.0]


def test_no_won_deal_gives_an_empty_series(org: Org) -> None:
    assert _series(org, "company", dt.date(2025, 3, 1)) == (None, [])


def test_open_deals_get_the_historical_win_rate_of_their_stage_and_age(org: Org) -> None:
    pipeline = make_pipeline()
    first_stage = open_stages(pipeline)[0]
    won = pipeline.stages.get(kind=StageKind.WON)
    lost = pipeline.stages.get(kind=StageKind.LOST)
    entered = start_of_day(dt.date(2025, 1, 5))
    closed = start_of_day(dt.date(2025, 2, 5))
    history = []
    for i in range(10):  # 3 of 10 deals that entered the first stage young were won
        deal = Deal.objects.create(
            name=f"Past {i}",
            owner=org.rep,
            pipeline=pipeline,
            stage=won if i < 3 else lost,
            amount=Decimal(100),
            closed_at=closed,
            created_at=entered,
        )
        history.append(
            StageHistory(deal=deal, pipeline=pipeline, to_stage=first_stage, moved_at=entered)
        )
    as_of = dt.date(2025, 3, 1)
    fresh = Deal.objects.create(
        name="Open",
        owner=org.rep,
        pipeline=pipeline,
        stage=first_stage,
        amount=Decimal(1000),
        created_at=start_of_day(dt.date(2025, 2, 20)),
        expected_close_date=dt.date(2025, 4, 10),
    )
    undated = Deal.objects.create(
        name="Undated",
        owner=org.rep,
        pipeline=pipeline,
        stage=first_stage,
        amount=Decimal(5),
        created_at=start_of_day(dt.date(2025, 2, 20)),
    )
    history += [
        StageHistory(deal=d, pipeline=pipeline, to_stage=first_stage, moved_at=d.created_at)
        for d in (fresh, undated)
    ]
    StageHistory.objects.bulk_create(history)
    deals = scope_deals(org.admin, parse_scope(org.admin, "company"))
    found = open_deals(deals, deals, as_of, 12)
    assert found.amounts.tolist() == [1000.0]
    assert found.win_rates.tolist() == pytest.approx([0.3])
    assert found.months_ahead.tolist() == [1]  # April is one month after March
    assert found.without_close_date == 1
