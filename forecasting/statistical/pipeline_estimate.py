"""The pipeline-based estimate: each open deal closes won in its expected month with its
stage-and-age win rate, independently; a Monte Carlo run gives the intervals."""

import numpy as np

from .methods import Forecast

RUNS = 5000
# Simulated in chunks of deals so memory stays bounded for a pipeline of any size.
CHUNK = 2000


def pipeline_forecast(
    amounts: np.ndarray, win_rates: np.ndarray, months_ahead: np.ndarray, horizon: int
) -> Forecast:
    """Expected revenue per month (Σ amount x rate) and the 10/90 and 2.5/97.5 percentiles
    of `RUNS` simulated outcomes (fixed seed, so a page shows the same numbers twice)."""
    rng = np.random.default_rng(0)
    totals = np.zeros((RUNS, horizon))
    for start in range(0, len(amounts), CHUNK):
        amount = amounts[start : start + CHUNK]
        rate = win_rates[start : start + CHUNK]
        month = months_ahead[start : start + CHUNK]
        won = rng.random((RUNS, len(amount))) < rate
        onehot = np.zeros((len(amount), horizon))
        onehot[np.arange(len(amount)), month] = amount
        totals += won @ onehot
    expected = np.zeros(horizon)
    np.add.at(expected, months_ahead, amounts * win_rates)
    low_95, low_80, high_80, high_95 = np.percentile(totals, [2.5, 10, 90, 97.5], axis=0)
    return Forecast(
        method="pipeline x win rates",
        value=expected,
        low_80=low_80,
        high_80=high_80,
        low_95=low_95,
        high_95=high_95,
    )
