"""The forecasting methods on generated series whose trend and seasonality are known, and
the backtest figures checked against numbers worked out by hand."""

import numpy as np
import pytest

from forecasting.statistical.backtest import backtests, rolling_origin, score
from forecasting.statistical.methods import (
    MIN_ETS,
    Z80,
    Z95,
    ets_auto,
    seasonal_naive,
)
from tests.forecasting.series import trend_and_season


def _noisy(months: int, seed: int = 7) -> np.ndarray:
    return trend_and_season(months) + np.random.default_rng(seed).normal(0, 25, months)


def test_ets_finds_the_trend_and_the_season_of_a_known_series() -> None:
    history = _noisy(42)
    forecast = ets_auto(history, 12)
    assert forecast.form is not None
    assert forecast.form.seasonal is not None, forecast.candidates
    assert forecast.form.trend == "add", forecast.candidates
    truth = trend_and_season(54)[42:]
    # Within 6 % of the level (1000) every month, while the wave swings ±300.
    assert np.max(np.abs(forecast.value - truth)) < 60
    assert np.all(forecast.low_95 <= forecast.low_80)
    assert np.all(forecast.low_80 <= forecast.value)
    assert np.all(forecast.value <= forecast.high_80)
    assert np.all(forecast.high_80 <= forecast.high_95)
    inside = (truth >= forecast.low_80) & (truth <= forecast.high_80)
    assert inside.mean() >= 0.7


def test_seasonality_is_not_tried_with_less_than_two_full_years() -> None:
    forecast = ets_auto(_noisy(20), 6)
    assert forecast.form is not None
    assert forecast.form.seasonal is None
    assert all(",N)" in label for label, _ in forecast.candidates)
    assert "two full years" in forecast.message


def test_a_very_short_history_falls_back_to_the_naive_forecast_and_says_so() -> None:
    forecast = ets_auto(np.array([100.0, 120.0, 90.0]), 4)
    assert forecast.method == "naive"
    assert forecast.value.tolist() == [90.0, 90.0, 90.0, 90.0]
    assert f"needs {MIN_ETS}" in forecast.message


def test_seasonal_naive_repeats_last_year_with_intervals_from_its_residuals() -> None:
    base = np.array([100, 80, 120, 90, 110, 130, 70, 60, 100, 140, 150, 200], dtype=float)
    history = np.concatenate([base, base + 10, base + 20])  # every residual is exactly 10
    forecast = seasonal_naive(history, 24)
    assert forecast.method == "seasonal naive"
    assert forecast.value.tolist() == (base + 20).tolist() * 2
    sigma = 10.0  # root mean square of the one-year-back residuals
    assert forecast.high_80[0] == pytest.approx(base[0] + 20 + Z80 * sigma)
    assert forecast.low_95[0] == pytest.approx(base[0] + 20 - Z95 * sigma)
    # The second year ahead is two seasons out: the spread grows by √2.
    assert forecast.high_80[12] == pytest.approx(base[0] + 20 + Z80 * sigma * np.sqrt(2))


def test_score_matches_the_figures_worked_out_by_hand() -> None:
    actual = np.array([100.0, 200.0, 0.0, 50.0])
    predicted = np.array([110.0, 180.0, 5.0, 50.0])
    low = np.array([90.0, 190.0, -1.0, 60.0])
    high = np.array([120.0, 210.0, 1.0, 70.0])
    result = score(actual, predicted, low, high)
    # errors -10, 20, -5, 0 → RMSE √(525/4); MAPE over the non-zero actuals (10 % + 10 % + 0) / 3
    assert result.rmse == pytest.approx(np.sqrt(525 / 4), abs=0.01)
    assert result.mape == pytest.approx(20 / 3, abs=0.01)
    assert result.coverage_80 == pytest.approx(75.0)  # the last actual is below its interval
    assert result.points == 4


def test_backtests_of_the_seasonal_naive_on_a_known_series() -> None:
    base = np.array([100, 80, 120, 90, 110, 130, 70, 60, 100, 140, 150, 200], dtype=float)
    series = np.concatenate([base, base + 10, base + 20])
    one_origin, walk_forward = backtests(series, 12)
    # Each month of the last year is 10 above the same month a year earlier.
    expected_mape = float(np.mean(10 / (base + 20)) * 100)
    for test in (one_origin, walk_forward):
        assert test.seasonal_naive.points == 12
        assert test.seasonal_naive.rmse == pytest.approx(10.0)
        assert test.seasonal_naive.mape == pytest.approx(expected_mape, abs=0.01)
        # The residuals seen before the origin are all 10, so ±1.28·10 holds an error of 10.
        assert test.seasonal_naive.coverage_80 == pytest.approx(100.0)
    assert one_origin.origins == [24]
    assert walk_forward.origins == list(range(24, 36))
    assert walk_forward.horizon == 1


def test_rolling_origin_refits_at_every_origin() -> None:
    series = np.arange(1.0, 11.0)  # 1, 2, …, 10: under a year, so the plain naive
    result = rolling_origin(series, seasonal_naive, [6, 7, 8], 2)
    # Origins 6, 7, 8 forecast 2 months each from the last value: errors 1, 2 per origin.
    assert result.points == 6
    assert result.rmse == pytest.approx(np.sqrt((1 + 4) / 2), abs=0.01)


def test_a_history_too_short_to_backtest_gives_no_backtest() -> None:
    assert backtests(np.ones(MIN_ETS), 12) == []
