"""Forecasting methods on a monthly series: pure functions on numpy arrays, no database.

Every method returns a `Forecast`: the point values and the 80 % and 95 % prediction
intervals per month ahead. Revenue can't be negative, so values and bounds are clipped at 0.
"""

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

SEASON = 12
# Seasonality is only tried with two full years: one year gives one observation per month.
MIN_SEASONAL = 2 * SEASON
# Below this many months ETS has more parameters than data points worth fitting.
MIN_ETS = 8
ESTIMATE_SEASONAL_STATES = 4 * SEASON
Z80 = 1.2815515655446004
Z95 = 1.959963984540054
SIMULATIONS = 1000


@dataclass(frozen=True)
class EtsForm:
    """One exponential-smoothing model form: error, trend, damping and seasonality."""

    error: str = "add"
    trend: str | None = None
    damped: bool = False
    seasonal: str | None = None

    @property
    def label(self) -> str:
        """The usual ETS(E,T,S) notation: A additive, M multiplicative, N none, Ad damped."""
        letter = {"add": "A", "mul": "M", None: "N"}
        trend = letter[self.trend] + ("d" if self.damped else "")
        return f"ETS({letter[self.error]},{trend},{letter[self.seasonal]})"


@dataclass
class Forecast:
    method: str
    value: np.ndarray
    low_80: np.ndarray
    high_80: np.ndarray
    low_95: np.ndarray
    high_95: np.ndarray
    form: EtsForm | None = None
    aicc: float | None = None
    message: str = ""
    candidates: list[tuple[str, float]] = field(default_factory=list)

    def clipped(self) -> "Forecast":
        for name in ("value", "low_80", "high_80", "low_95", "high_95"):
            setattr(self, name, np.maximum(getattr(self, name), 0.0))
        return self


def candidate_forms(values: np.ndarray) -> list[EtsForm]:
    """The forms tried: additive errors with trend none / additive / damped and seasonality
    none / additive, plus multiplicative errors with multiplicative seasonality when every
    month is positive (they divide by the level). Additive errors with multiplicative
    seasonality are left out (numerically unstable), and so are multiplicative errors
    without multiplicative seasonality, whose point forecasts equal the additive ones."""
    n = len(values)
    positive = bool(n) and bool(np.all(values > 0))
    trends: list[tuple[str | None, bool]] = [(None, False), ("add", False), ("add", True)]
    forms = [EtsForm("add", trend, damped, None) for trend, damped in trends]
    if n >= MIN_SEASONAL:
        forms += [EtsForm("add", trend, damped, "add") for trend, damped in trends]
        if positive:
            forms += [EtsForm("mul", trend, damped, "mul") for trend, damped in trends]
    return forms


def _series(values: np.ndarray) -> pd.Series:
    # A period index lets statsmodels label predictions; the calendar doesn't matter here.
    return pd.Series(values, index=pd.period_range("2000-01", periods=len(values), freq="M"))


def _initialization(months: int, form: EtsForm) -> str:
    """Seasonal forms on fewer than four years start their twelve seasonal states with the
    classical heuristic (a decomposition of the first two years) rather than estimating
    them with the rest: on so few points estimating them overfits and makes the fit
    several times slower. Longer series, and non-seasonal forms, estimate every state."""
    return "heuristic" if form.seasonal and months < ESTIMATE_SEASONAL_STATES else "estimated"


def _fit(values: np.ndarray, form: EtsForm) -> object | None:
    model = ETSModel(
        _series(values),
        error=form.error,
        trend=form.trend,
        damped_trend=form.damped,
        seasonal=form.seasonal,
        seasonal_periods=SEASON if form.seasonal else None,
        initialization_method=_initialization(len(values), form),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        try:
            result = model.fit(disp=False, maxiter=300)
        except (ValueError, np.linalg.LinAlgError):
            return None
    if not math.isfinite(result.aicc):
        return None
    return result


def select_form(values: np.ndarray) -> tuple[EtsForm | None, list[tuple[str, float]]]:
    """The form with the lowest AICc among `candidate_forms`, and every candidate's AICc."""
    scored: list[tuple[float, EtsForm]] = []
    for form in candidate_forms(values):
        result = _fit(values, form)
        if result is not None:
            scored.append((float(result.aicc), form))  # type: ignore[attr-defined]
    if not scored:
        return None, []
    scored.sort(key=lambda item: item[0])
    return scored[0][1], [(form.label, round(aicc, 2)) for aicc, form in scored]


def ets_fit_forecast(values: np.ndarray, form: EtsForm, horizon: int) -> Forecast | None:
    """Fit `form` to `values` and forecast `horizon` months with both intervals (analytic
    for the additive forms, simulated for the multiplicative ones, with a fixed seed)."""
    result = _fit(values, form)
    if result is None:
        return None
    n = len(values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prediction = result.get_prediction(  # type: ignore[attr-defined]
            start=n,
            end=n + horizon - 1,
            simulate_repetitions=SIMULATIONS,
            rng=np.random.default_rng(0),
        )
        frame_80 = prediction.summary_frame(alpha=0.2)
        frame_95 = prediction.summary_frame(alpha=0.05)
    forecast = Forecast(
        method=form.label,
        value=frame_80["mean"].to_numpy(dtype=float),
        low_80=frame_80["pi_lower"].to_numpy(dtype=float),
        high_80=frame_80["pi_upper"].to_numpy(dtype=float),
        low_95=frame_95["pi_lower"].to_numpy(dtype=float),
        high_95=frame_95["pi_upper"].to_numpy(dtype=float),
        form=form,
        aicc=round(float(result.aicc), 2),  # type: ignore[attr-defined]
    )
    if not all(np.all(np.isfinite(getattr(forecast, k))) for k in ("value", "low_95", "high_95")):
        return None
    return forecast.clipped()


def seasonal_naive(values: np.ndarray, horizon: int) -> Forecast:
    """Each month ahead repeats the same month a year earlier; with less than a year of
    history, the last month (plain naive). Intervals assume normal errors with the spread
    of the method's own one-season-back residuals, widening with the number of seasons
    ahead (Hyndman & Athanasopoulos, Forecasting: Principles and Practice, 5.5)."""
    n = len(values)
    steps = np.arange(1, horizon + 1)
    period, method = (SEASON, "seasonal naive") if n >= SEASON else (1, "naive")
    base = values[n - period + (steps - 1) % period]
    residuals = values[period:] - values[:-period] if n > period else np.array([])
    if len(residuals) >= 2:
        sigma = float(np.sqrt(np.mean(residuals**2)))
        spread = sigma * np.sqrt((steps - 1) // period + 1.0)
        message = ""
    else:
        spread = np.full(horizon, np.nan)
        message = "Too few months for the naive intervals."
    forecast = Forecast(
        method=method,
        value=base.astype(float),
        low_80=base - Z80 * spread,
        high_80=base + Z80 * spread,
        low_95=base - Z95 * spread,
        high_95=base + Z95 * spread,
        message=message,
    )
    return forecast.clipped()


def ets_auto(values: np.ndarray, horizon: int) -> Forecast:
    """Automatic ETS: pick the form by AICc, forecast with it; too short a history falls
    back to the naive forecast, saying so."""
    n = len(values)
    if n < MIN_ETS:
        fallback = seasonal_naive(values, horizon)
        fallback.message = (
            f"Only {n} month(s) of history: exponential smoothing needs {MIN_ETS}; "
            f"showing the {fallback.method} forecast."
        )
        return fallback
    form, candidates = select_form(values)
    forecast = ets_fit_forecast(values, form, horizon) if form else None
    if forecast is None:
        fallback = seasonal_naive(values, horizon)
        fallback.message = "No exponential-smoothing model could be fitted; showing the naive."
        return fallback
    forecast.candidates = candidates
    if n < MIN_SEASONAL:
        forecast.message = (
            f"{n} months of history: seasonality is only tried with {MIN_SEASONAL} (two full "
            "years)."
        )
    return forecast
