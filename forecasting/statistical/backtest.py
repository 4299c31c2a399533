"""Rolling-origin backtests: refit on the history up to each origin, forecast the months
after it, compare with what happened. Pure functions on numpy arrays."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .methods import MIN_ETS, EtsForm, Forecast, ets_fit_forecast, seasonal_naive, select_form

Forecaster = Callable[[np.ndarray, int], Forecast | None]


@dataclass
class Score:
    """Errors of one method over every (origin, month ahead) pair of a backtest.

    - rmse: root of the mean squared error, in the series' unit (company currency);
    - mape: mean of |actual - forecast| ÷ actual over the months whose actual isn't 0, in %;
    - coverage_80: share of actuals inside the 80 % interval, in % (an honest interval
      holds about 80 %).
    """

    points: int
    rmse: float | None
    mape: float | None
    coverage_80: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "points": self.points,
            "rmse": self.rmse,
            "mape": self.mape,
            "coverage_80": self.coverage_80,
        }


def score(
    actual: np.ndarray, predicted: np.ndarray, low_80: np.ndarray, high_80: np.ndarray
) -> Score:
    if len(actual) == 0:
        return Score(0, None, None, None)
    errors = actual - predicted
    rmse = float(np.sqrt(np.mean(errors**2)))
    nonzero = actual != 0
    mape = (
        float(np.mean(np.abs(errors[nonzero] / actual[nonzero])) * 100) if nonzero.any() else None
    )
    known = np.isfinite(low_80) & np.isfinite(high_80)
    inside = (actual >= low_80) & (actual <= high_80)
    coverage = float(np.mean(inside[known]) * 100) if known.any() else None
    return Score(
        len(actual),
        round(rmse, 2),
        None if mape is None else round(mape, 2),
        None if coverage is None else round(coverage, 1),
    )


def rolling_origin(
    values: np.ndarray, forecaster: Forecaster, origins: list[int], horizon: int
) -> Score:
    """For each origin k (a number of months of history), forecast months k … k+horizon-1
    from values[:k] and score every forecast month that has an actual."""
    actual, predicted, low, high = [], [], [], []
    for origin in origins:
        forecast = forecaster(values[:origin], horizon)
        if forecast is None:
            continue
        known = min(horizon, len(values) - origin)
        actual.append(values[origin : origin + known])
        predicted.append(forecast.value[:known])
        low.append(forecast.low_80[:known])
        high.append(forecast.high_80[:known])
    if not actual:
        return Score(0, None, None, None)
    return score(*(np.concatenate(parts) for parts in (actual, predicted, low, high)))


def ets_with_form(form: EtsForm) -> Forecaster:
    """A forecaster that refits one fixed form (chosen on data before the first origin)."""
    return lambda history, horizon: ets_fit_forecast(history, form, horizon)


@dataclass
class Backtest:
    name: str
    description: str
    origins: list[int]
    horizon: int
    form: str | None
    ets: Score
    seasonal_naive: Score

    @property
    def ets_beats_naive(self) -> bool | None:
        if self.ets.rmse is None or self.seasonal_naive.rmse is None:
            return None
        return self.ets.rmse < self.seasonal_naive.rmse

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "description": self.description,
            "origins": len(self.origins),
            "horizon": self.horizon,
            "ets_form": self.form,
            "ets": self.ets.as_dict(),
            "seasonal_naive": self.seasonal_naive.as_dict(),
            "ets_beats_naive": self.ets_beats_naive,
        }


def backtests(values: np.ndarray, holdout: int = 12) -> list[Backtest]:
    """Two backtests over the last `holdout` months:

    - one origin: fit on everything before them, forecast all of them at once;
    - walk-forward: for each of them, fit on everything before it, forecast it one month
      ahead.

    The ETS form is chosen by AICc on the history before the first origin (so the choice
    never sees the months it is scored on) and refitted at each origin.
    """
    n = len(values)
    holdout = min(holdout, n - MIN_ETS)
    if holdout < 1:
        return []
    first = n - holdout
    form, _ = select_form(values[:first])
    naive: Forecaster = seasonal_naive
    none = Score(0, None, None, None)
    ets: Forecaster | None = ets_with_form(form) if form else None
    walk = list(range(first, n))
    return [
        Backtest(
            "one_origin",
            f"One origin, {holdout} months ahead",
            [first],
            holdout,
            form.label if form else None,
            rolling_origin(values, ets, [first], holdout) if ets else none,
            rolling_origin(values, naive, [first], holdout),
        ),
        Backtest(
            "walk_forward",
            f"Walk-forward over {holdout} months, 1 month ahead",
            walk,
            1,
            form.label if form else None,
            rolling_origin(values, ets, walk, 1) if ets else none,
            rolling_origin(values, naive, walk, 1),
        ),
    ]
