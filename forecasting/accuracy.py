"""The forecast accuracy table: per past period of a scope, what each source said at the
start and in the middle of the period against what closed.

Sources, each a forecast of the period's won revenue:
- **rep commit** = closed won + the deals' commit, from the snapshot;
- **manager** = closed won + the commit after managers' adjustments, from the snapshot;
- **weighted pipeline** = closed won + open deals (commit, best case, pipeline) x their
  probability, from the snapshot;
- **statistical** = `statistical.period.period_estimate` recomputed as of the snapshot's day
  (or the nominal day when there is no snapshot), from won deals closed before it only.

Points: **start** = the first snapshot of the period (the weekly beat takes it in the first
week); **mid** = the last snapshot taken on or before the period's middle day (else the first
after it). Without a snapshot the snapshot sources are empty and the statistical one is
computed as of the period's first / middle day.

**Actual** = won revenue of the period now (as the forecast counts it). **Accuracy** =
max(0, 1 - |actual - forecast| / actual), none when nothing closed.

Cost: one query for the actuals, one for the snapshots, one for the won-revenue series (the
series as of any day is the full one cut before that day's month); the ETS fits are cached.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from crm.models import User
from forecasting import periods
from forecasting.forecast import forecast_deals
from forecasting.models import ForecastSnapshot
from forecasting.periods import Period
from forecasting.scopes import Scope
from forecasting.selectors import fiscal_start_month
from forecasting.statistical.months import months_between
from forecasting.statistical.period import period_estimate
from forecasting.statistical.scope import parse_scope
from forecasting.statistical.selectors import MonthlySeries, scope_deals, won_revenue_series
from pipeline.models import StageKind
from pipeline.selectors.money import company_amount

SOURCES = {
    "rep_commit": "Rep commit",
    "manager": "Manager adjustment",
    "weighted_pipeline": "Weighted pipeline",
    "statistical": "Statistical",
}
POINTS = {"start": "Start of period", "mid": "Mid-period"}
MONEY = DecimalField(max_digits=20, decimal_places=2)
DEFAULT_COUNT = {periods.MONTH: 6, periods.QUARTER: 4, periods.YEAR: 2}


def accuracy(actual: Decimal | float, forecast: Decimal | float | None) -> float | None:
    """max(0, 1 - |actual - forecast| / actual); None without a forecast or an actual."""
    if forecast is None or not actual:
        return None
    a, f = float(actual), float(forecast)
    return round(max(0.0, 1 - abs(a - f) / a), 4)


@dataclass
class Point:
    point: str  # start, mid
    day: date  # the snapshot's day, or the nominal day without one
    snapshot_week: date | None
    forecasts: dict[str, float | None] = field(default_factory=dict)
    accuracy: dict[str, float | None] = field(default_factory=dict)


@dataclass
class PeriodRow:
    period: Period
    actual: Decimal
    points: list[Point]

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.key,
            "name": self.period.label,
            "actual": float(self.actual),
            "points": [
                {
                    "point": p.point,
                    "day": p.day.isoformat(),
                    "snapshot_week": p.snapshot_week.isoformat() if p.snapshot_week else None,
                    "forecasts": p.forecasts,
                    "accuracy": p.accuracy,
                }
                for p in self.points
            ],
        }


@dataclass
class AccuracyTable:
    scope: Scope
    kind: str
    rows: list[PeriodRow]

    def average(self) -> dict[str, dict[str, float | None]]:
        """Mean accuracy per point and source over the periods that have one."""
        out: dict[str, dict[str, float | None]] = {}
        for point in POINTS:
            out[point] = {}
            for source in SOURCES:
                values = [
                    p.accuracy[source]
                    for row in self.rows
                    for p in row.points
                    if p.point == point and p.accuracy.get(source) is not None
                ]
                out[point][source] = round(sum(values) / len(values), 4) if values else None  # type: ignore[arg-type]
        return out


def past_periods(kind: str, count: int, today: date, start_month: int) -> list[Period]:
    """The `count` whole periods of `kind` before the one `today` is in, newest first."""
    found = []
    span = periods.period_of(today, kind, start_month)
    for _ in range(count):
        span = periods.period_of(span.start - timedelta(days=1), kind, start_month)
        found.append(span)
    return found


def _middle(span: Period) -> date:
    return span.start + (span.end - span.start) / 2


def _cut(series: MonthlySeries, as_of: date) -> MonthlySeries:
    """The series as `won_revenue_series(deals, as_of)` would give it."""
    if series.first is None:
        return MonthlySeries(None, series.values[:0], as_of)
    keep = months_between(series.first, as_of.replace(day=1))
    if keep <= 0:
        return MonthlySeries(None, series.values[:0], as_of)
    return MonthlySeries(series.first, series.values[:keep], as_of)


def accuracy_table(
    *, actor: User, scope: Scope, kind: str, count: int | None = None, today: date | None = None
) -> AccuracyTable:
    today = today or periods.company_day()
    start_month = fiscal_start_month()
    spans = past_periods(kind, count or DEFAULT_COUNT[kind], today, start_month)
    deals = forecast_deals(actor, scope)
    sums: dict[str, Any] = {}
    for span in spans:
        start, end = span.bounds()
        sums[span.key] = Coalesce(
            Sum(
                company_amount(),
                filter=Q(stage__kind=StageKind.WON, closed_at__gte=start, closed_at__lt=end),
                output_field=MONEY,
            ),
            Value(Decimal(0)),
        )
    actuals = deals.aggregate(**sums) if spans else {}
    snaps: dict[str, list[ForecastSnapshot]] = {}
    for taken_row in ForecastSnapshot.objects.filter(
        scope=scope.key, period_key__in=[s.key for s in spans]
    ).order_by("week"):
        snaps.setdefault(taken_row.period_key, []).append(taken_row)
    full = won_revenue_series(scope_deals(actor, parse_scope(actor, scope.key)), today)
    rows = []
    for span in spans:
        actual = Decimal(actuals.get(span.key) or 0).quantize(Decimal("0.01"))
        taken = snaps.get(span.key, [])
        middle = _middle(span)
        before_middle = [s for s in taken if periods.company_day(s.taken_at) <= middle]
        chosen: dict[str, tuple[ForecastSnapshot | None, date]] = {
            "start": (taken[0] if taken else None, span.start),
            "mid": (
                before_middle[-1] if before_middle else (taken[-1] if taken else None),
                middle,
            ),
        }
        points = []
        for name, (snap, nominal) in chosen.items():
            day = periods.company_day(snap.taken_at) if snap is not None else nominal
            forecasts: dict[str, float | None] = dict.fromkeys(SOURCES)
            if snap is not None:
                adjusted = snap.commit if snap.commit_adjusted is None else snap.commit_adjusted
                forecasts["rep_commit"] = float(snap.won + snap.commit)
                forecasts["manager"] = float(snap.won + adjusted)
                forecasts["weighted_pipeline"] = float(snap.won + snap.weighted)
            estimate = period_estimate(_cut(full, day), span.start, span.end)
            forecasts["statistical"] = (
                None if estimate.value is None else round(float(estimate.value), 2)
            )
            points.append(
                Point(
                    name,
                    day,
                    snap.week if snap is not None else None,
                    forecasts,
                    {k: accuracy(actual, v) for k, v in forecasts.items()},
                )
            )
        rows.append(PeriodRow(span, actual, points))
    return AccuracyTable(scope, kind, rows)
