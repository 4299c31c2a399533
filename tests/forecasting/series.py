"""Known monthly series loaded as won deals, for the statistical forecast's tests."""

import datetime as dt
from decimal import Decimal

import numpy as np

from crm.models import User
from forecasting.statistical.months import add_months, start_of_day
from pipeline.models import Deal, Pipeline, StageKind
from tests.pipeline.factories import make_pipeline


def trend_and_season(months: int, *, level: float = 1000.0, slope: float = 20.0) -> np.ndarray:
    """level + slope·t + a yearly wave of ±30 % of the level, with no noise."""
    t = np.arange(months)
    return level + slope * t + 0.3 * level * np.sin(2 * np.pi * t / 12)


def load_won(
    owner: User, first: dt.date, values: np.ndarray, pipeline: Pipeline | None = None
) -> list[Deal]:
    """One won deal per month (the month's value), closed on the 15th at noon company time."""
    pipeline = pipeline or make_pipeline()
    won = pipeline.stages.get(kind=StageKind.WON)
    deals = []
    for i, value in enumerate(values):
        month = add_months(first, i)
        closed = start_of_day(month.replace(day=15)) + dt.timedelta(hours=12)
        deals.append(
            Deal(
                name=f"Won {month:%Y-%m}",
                owner=owner,
                pipeline=pipeline,
                stage=won,
                amount=Decimal(str(round(float(value), 2))),
                currency="USD",
                closed_at=closed,
                created_at=closed - dt.timedelta(days=20),
            )
        )
    return Deal.objects.bulk_create(deals)
