"""The Monte Carlo pipeline estimate against its expectation worked out by hand."""

import numpy as np
import pytest

from forecasting.statistical.pipeline_estimate import pipeline_forecast


def test_the_pipeline_estimate_expects_amount_times_rate_per_month() -> None:
    amounts = np.array([1000.0, 500.0, 200.0])
    rates = np.array([0.5, 0.2, 1.0])
    months = np.array([0, 0, 2])
    forecast = pipeline_forecast(amounts, rates, months, 3)
    assert forecast.value.tolist() == pytest.approx([600.0, 0.0, 200.0])
    # A certain deal has no spread; month 0 has 4 outcomes: 0, 500, 1000, 1500.
    assert forecast.low_95[2] == forecast.high_95[2] == 200.0
    assert forecast.low_95[0] == 0.0
    assert forecast.high_95[0] == 1500.0
    assert forecast.low_80[0] <= forecast.value[0] <= forecast.high_80[0]


def test_an_empty_pipeline_forecasts_zero() -> None:
    forecast = pipeline_forecast(np.zeros(0), np.zeros(0), np.zeros(0, dtype=int), 2)
    assert forecast.value.tolist() == [0.0, 0.0]
    assert forecast.high_95.tolist() == [0.0, 0.0]
