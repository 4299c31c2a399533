"""Forecasting test helpers: won and open deals in a period, quotas."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from crm.models import Team, User
from forecasting import periods
from forecasting.models import Quota
from pipeline.models import Deal, Pipeline, StageKind
from tests.pipeline.factories import DealFactory, make_pipeline, open_stages


def pipeline() -> Pipeline:
    return make_pipeline("Forecast pipeline")


def won_deal(pipe: Pipeline, owner: User, amount: str, on: date, currency: str = "USD") -> Deal:
    stage = pipe.stages.get(kind=StageKind.WON)
    closed = datetime.combine(on, time(12), ZoneInfo(settings.TIME_ZONE))
    return DealFactory(
        owner=owner,
        stage=stage,
        amount=Decimal(amount),
        currency=currency,
        closed_at=closed,
        expected_close_date=on,
    )


def open_deal(
    pipe: Pipeline, owner: User, amount: str, close: date, category: str = "pipeline"
) -> Deal:
    return DealFactory(
        owner=owner,
        stage=open_stages(pipe)[0],
        amount=Decimal(amount),
        expected_close_date=close,
        forecast_category=category,
    )


def quota(period: str, amount: str, *, user: User | None = None, team: Team | None = None) -> Quota:
    span = periods.parse_period(period, 1)
    return Quota.objects.create(
        user=user,
        team=team,
        period_kind=span.kind,
        period_start=span.start,
        period_end=span.end,
        period_key=span.key,
        amount=Decimal(amount),
    )
