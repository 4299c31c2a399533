"""Reads behind the statistical forecast: won revenue by month, open deals, and the
historical stage-to-win rates. Every queryset starts from `crm.visibility.visible`."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Extract, TruncMonth

from crm.models import User
from crm.visibility import visible
from pipeline.models import Deal, Stage, StageHistory, StageKind
from pipeline.selectors import company_amount

from .months import company_zone, months_between, start_of_day
from .scope import Scope

# Age of a deal (days since it was created) when it sits in a stage; win rates are kept
# apart per bucket because an old deal in Proposal rarely closes like a fresh one.
AGE_BUCKETS = (30, 90, 180)
# A (stage, age) cell with fewer closed deals than this borrows the stage's overall rate.
MIN_CELL = 5


@dataclass
class MonthlySeries:
    """Won revenue per month in the company currency, zero-filled, ending with the month
    before `as_of`'s month. `first` is None when the scope has no won deal before `as_of`."""

    first: dt.date | None
    values: np.ndarray
    as_of: dt.date

    @property
    def next_month(self) -> dt.date:
        return self.as_of.replace(day=1)


def scope_deals(user: User, scope: Scope) -> QuerySet[Deal, Any]:
    return scope.deals(visible(user, Deal.objects.alive()))


def _age_days(since: str, until: Any) -> Any:
    """SQL: days from the `since` field to `until` (a field expression or a moment)."""
    interval = ExpressionWrapper(until - F(since), output_field=DurationField())
    return Cast(Extract(interval, "epoch"), FloatField()) / Value(86400.0)


def _age_bucket(days_field: str) -> Case:
    whens = [
        When(**{f"{days_field}__lte": limit}, then=Value(i)) for i, limit in enumerate(AGE_BUCKETS)
    ]
    return Case(*whens, default=Value(len(AGE_BUCKETS)), output_field=IntegerField())


def won_revenue_series(deals: QuerySet[Deal, Any], as_of: dt.date) -> MonthlySeries:
    """One GROUP BY: won deals closed before `as_of` (midnight, company time) summed per
    calendar month of their close in the company time zone. The month of `as_of` itself is
    left out: it is the first month forecast, and it is not over."""
    next_month = as_of.replace(day=1)
    rows = (
        deals.filter(
            stage__kind=StageKind.WON,
            closed_at__lt=start_of_day(next_month),
        )
        .annotate(month=TruncMonth("closed_at", output_field=DateField(), tzinfo=company_zone()))
        .values("month")
        .annotate(total=Sum(company_amount()))
        .order_by("month")
        .values_list("month", "total")
    )
    totals: dict[dt.date, Decimal] = dict(rows)
    if not totals:
        return MonthlySeries(None, np.zeros(0), as_of)
    first = min(totals)
    values = np.zeros(months_between(first, next_month))
    for month, total in totals.items():
        values[months_between(first, month)] = float(total or 0)
    return MonthlySeries(first, values, as_of)


def win_rates(deals: QuerySet[Deal, Any], as_of: dt.date) -> dict[tuple[int, int], tuple[int, int]]:
    """(stage id, age bucket) → (deals won, deals closed), among `deals` that entered the
    stage and were won or lost before `as_of`; the age is the deal's age when it entered.
    One GROUP BY over the stage history."""
    moment = start_of_day(as_of)
    rows = (
        StageHistory.objects.filter(
            deal__in=deals.filter(
                closed_at__lt=moment, stage__kind__in=(StageKind.WON, StageKind.LOST)
            ).values("pk"),
            moved_at__lt=moment,
            to_stage__kind=StageKind.OPEN,
        )
        .annotate(age=_age_days("deal__created_at", F("moved_at")))
        .annotate(bucket=_age_bucket("age"))
        .values("to_stage_id", "bucket")
        .annotate(
            closed=Count("deal", distinct=True),
            won=Count("deal", distinct=True, filter=Q(deal__stage__kind=StageKind.WON)),
        )
        .values_list("to_stage_id", "bucket", "won", "closed")
    )
    return {(stage, bucket): (won, closed) for stage, bucket, won, closed in rows}


def rate_table(
    counts: dict[tuple[int, int], tuple[int, int]],
) -> tuple[dict[int, int], np.ndarray, np.ndarray]:
    """Rates per (stage, age bucket) as an array indexed [stage row, bucket], with where
    each came from: 0 the cell itself, 1 the stage over all ages, 2 the stage's configured
    probability (too few closed deals behind the cell and the stage)."""
    stages = list(Stage.objects.order_by("pk").values_list("pk", "probability"))
    index = {pk: row for row, (pk, _) in enumerate(stages)}
    buckets = len(AGE_BUCKETS) + 1
    rates = np.zeros((len(stages), buckets))
    source = np.full((len(stages), buckets), 2)
    for row, (pk, probability) in enumerate(stages):
        won_all = sum(counts.get((pk, b), (0, 0))[0] for b in range(buckets))
        closed_all = sum(counts.get((pk, b), (0, 0))[1] for b in range(buckets))
        for bucket in range(buckets):
            won, closed = counts.get((pk, bucket), (0, 0))
            if closed >= MIN_CELL:
                rates[row, bucket], source[row, bucket] = won / closed, 0
            elif closed_all >= MIN_CELL:
                rates[row, bucket], source[row, bucket] = won_all / closed_all, 1
            else:
                rates[row, bucket] = probability / 100
    return index, rates, source


@dataclass
class OpenDeals:
    """Deals open at `as_of`, with what the pipeline estimate needs of each."""

    amounts: np.ndarray  # company currency
    win_rates: np.ndarray  # historical stage-to-win rate of the deal's stage and age
    months_ahead: np.ndarray  # 0 = the month of as_of; by expected close date
    without_close_date: int
    beyond_horizon: int


def open_deals(
    deals: QuerySet[Deal, Any], visible_deals: QuerySet[Deal, Any], as_of: dt.date, horizon: int
) -> OpenDeals:
    """Deals of `deals` open at midnight of `as_of`, in the stage they were in then (from
    the stage history), their age then, and the month of their expected close date (a date
    already past counts in the month of `as_of`). Rates come from `visible_deals`."""
    moment = start_of_day(as_of)
    last_move = (
        StageHistory.objects.filter(deal=OuterRef("pk"), moved_at__lt=moment)
        .order_by("-moved_at", "-id")
        .values("to_stage_id")[:1]
    )
    rows = list(
        deals.filter(created_at__lt=moment)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=moment))
        .annotate(
            stage_then=Coalesce(Subquery(last_move), F("stage_id"), output_field=IntegerField())
        )
        .filter(stage_then__in=Stage.objects.filter(kind=StageKind.OPEN).values("pk"))
        .annotate(
            age=_age_days("created_at", Value(moment)),
            bucket=_age_bucket("age"),
            company=company_amount(),
        )
        .values_list("company", "stage_then", "bucket", "expected_close_date")
    )
    # No open deal, no need to read the whole stage history for rates.
    index, rates, _ = rate_table(win_rates(visible_deals, as_of) if rows else {})
    first = as_of.replace(day=1)
    amounts = np.array([float(r[0]) for r in rows])
    stage_rows = np.array([index.get(r[1], -1) for r in rows], dtype=int)
    buckets = np.array([r[2] for r in rows], dtype=int)
    dated = np.array([r[3] is not None for r in rows], dtype=bool)
    ahead = np.array([max(months_between(first, r[3]), 0) if r[3] else -1 for r in rows], dtype=int)
    probabilities = rates[stage_rows, buckets] if len(rows) else np.zeros(0)
    keep = dated & (ahead < horizon)
    return OpenDeals(
        amounts=amounts[keep],
        win_rates=probabilities[keep],
        months_ahead=ahead[keep],
        without_close_date=int((~dated).sum()),
        beyond_horizon=int((dated & (ahead >= horizon)).sum()),
    )
