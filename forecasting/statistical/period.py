"""The statistical forecast of one fiscal period's won revenue, as a single number with its
80 % interval: what the forecast page shows beside the reps' commit and the manager's number,
and what the accuracy table recomputes as of a past day.

As of a day D (only deals closed before D count):
- the months of the period before D's month are history: their won revenue is known;
- the months from D's month to the period's end are forecast by the automatic ETS of
  `methods.py` (the seasonal naive when the history is too short), fitted on the monthly
  series ending the month before D;
- value = known months + Σ forecast months; the 80 % interval of that sum comes from 2,000
  simulated paths of the fitted model (each path clipped at 0 month by month, then summed;
  the 10th and 90th percentiles), so the months' errors add up as the model says they do.
  For the naive fallback the months are taken as independent normal errors.

The answer is kept for a day in the cache under a digest of the series and the window: the
ETS fits take a second, the GROUP BY in front of them milliseconds.
"""

import datetime as dt
import hashlib
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.cache import cache

from .methods import MIN_ETS, SEASON, Z80, _fit, seasonal_naive, select_form
from .months import add_months, months_between
from .selectors import MonthlySeries

CACHE_VERSION = 1
CACHE_SECONDS = 24 * 3600
PATHS = 2000


@dataclass(frozen=True)
class PeriodEstimate:
    method: str | None
    value: float | None
    low_80: float | None
    high_80: float | None
    known: float  # won revenue of the period's months already over before `as_of`
    forecast_months: int  # how many of the period's months are forecast
    as_of: dt.date
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "value": _round(self.value),
            "low_80": _round(self.low_80),
            "high_80": _round(self.high_80),
            "known": _round(self.known),
            "forecast_months": self.forecast_months,
            "as_of": self.as_of.isoformat(),
            "message": self.message,
        }


def _round(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 2)


def _window_sum(values: np.ndarray, skip: int, count: int) -> tuple[str, float, float, float]:
    """(method, value, low_80, high_80) of the sum of months skip .. skip+count-1 ahead."""
    horizon = skip + count
    n = len(values)
    form = select_form(values)[0] if n >= MIN_ETS else None
    result = _fit(values, form) if form is not None else None
    if result is not None and form is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            point = result.forecast(horizon)  # type: ignore[attr-defined]
            paths = result.simulate(  # type: ignore[attr-defined]
                horizon, anchor="end", repetitions=PATHS, rng=np.random.default_rng(0)
            )
        mean = np.maximum(np.asarray(point, dtype=float)[skip:horizon], 0.0)
        sims = np.maximum(np.asarray(paths, dtype=float).reshape(horizon, -1)[skip:horizon], 0.0)
        sums = sims.sum(axis=0)
        if np.all(np.isfinite(sums)) and np.all(np.isfinite(mean)):
            low, high = np.percentile(sums, [10, 90])
            return form.label, float(mean.sum()), float(low), float(high)
    naive = seasonal_naive(values, horizon)
    value = float(naive.value[skip:horizon].sum())
    spread = (naive.high_80[skip:horizon] - naive.value[skip:horizon]) / Z80
    if not np.all(np.isfinite(spread)):
        return naive.method, value, float("nan"), float("nan")
    sigma = float(np.sqrt(np.sum(spread**2)))
    return naive.method, value, max(value - Z80 * sigma, 0.0), value + Z80 * sigma


def period_estimate(
    series: MonthlySeries, start: dt.date, end: dt.date, *, use_cache: bool = True
) -> PeriodEstimate:
    """The estimate of [start, end) (first-of-month dates) from `series` (which ends the
    month before `series.as_of`)."""
    as_of = series.as_of
    first_ahead = series.next_month
    if series.first is None:
        return PeriodEstimate(
            None, None, None, None, 0.0, 0, as_of, "No won deals before this day: no forecast."
        )
    known = 0.0
    for i in range(len(series.values)):
        month = add_months(series.first, i)
        if start <= month < end:
            known += float(series.values[i])
    if end <= first_ahead:
        return PeriodEstimate("actual", known, known, known, known, 0, as_of, "The period is over.")
    begin = max(start, first_ahead)
    skip = months_between(first_ahead, begin)
    count = months_between(begin, end)
    digest = hashlib.sha256(
        f"{series.first}|{first_ahead}|{skip}|{count}|".encode() + series.values.tobytes()
    ).hexdigest()
    key = f"forecasting:period:{CACHE_VERSION}:{digest}"
    found = cache.get(key) if use_cache else None
    if found is None:
        found = _window_sum(series.values, skip, count)
        if use_cache:
            cache.set(key, found, CACHE_SECONDS)
    method, value, low, high = found
    message = ""
    if len(series.values) < MIN_ETS:
        message = f"Only {len(series.values)} month(s) of history: the {method} forecast."
    elif len(series.values) < 2 * SEASON:
        message = "Under two years of history: no seasonality."
    return PeriodEstimate(
        method, known + value, known + low, known + high, known, count, as_of, message
    )


def scope_period_estimate(
    *, user: Any, scope: str, start: dt.date, end: dt.date, as_of: dt.date
) -> PeriodEstimate:
    """`period_estimate` of one scope (company, team:<id>, user:<id>) as of `as_of`, over
    the deals `user` may see; a scope out of reach raises NotFound."""
    from .scope import parse_scope
    from .selectors import scope_deals, won_revenue_series

    resolved = parse_scope(user, scope)
    series = won_revenue_series(scope_deals(user, resolved), as_of)
    return period_estimate(series, start, end)


def for_period(*, user: Any, scope: str, start: dt.date, end: dt.date, today: dt.date) -> Any:
    """The estimate the forecast page shows for a period: as of today while the period is
    running or ahead; as of its first day once it is over (what the statistics said then)."""
    as_of = start if end <= today.replace(day=1) else today
    return scope_period_estimate(user=user, scope=scope, start=start, end=end, as_of=as_of)
