"""The statistical forecast of one scope, as the API, the page and the command give it."""

import datetime as dt
import hashlib
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache

from crm.errors import DomainError
from crm.models import User
from crm.visibility import visible
from pipeline.models import Deal

from .backtest import backtests
from .methods import MIN_ETS, Forecast, ets_auto, seasonal_naive
from .months import add_months, label, month_range
from .pipeline_estimate import pipeline_forecast
from .scope import Scope, parse_scope
from .selectors import MonthlySeries, open_deals, scope_deals, won_revenue_series

MAX_HORIZON = 36
BACKTEST_MONTHS = 12
# Bump when the methods change, so cached answers of the old ones are not served.
CACHE_VERSION = 1
CACHE_SECONDS = 24 * 3600


def _money(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 2)


def _months(forecast: Forecast, first: dt.date) -> list[dict[str, Any]]:
    months = month_range(first, len(forecast.value))
    return [
        {
            "month": label(month),
            "value": _money(forecast.value[i]),
            "low_80": _money(forecast.low_80[i]),
            "high_80": _money(forecast.high_80[i]),
            "low_95": _money(forecast.low_95[i]),
            "high_95": _money(forecast.high_95[i]),
        }
        for i, month in enumerate(months)
    ]


def forecast_series(series: MonthlySeries, horizon: int) -> dict[str, Any]:
    """ETS, seasonal naive and the backtests of a monthly series (no database)."""
    first_ahead = series.next_month
    history = (
        [
            {"month": label(add_months(series.first, i)), "value": _money(v)}
            for i, v in enumerate(series.values)
        ]
        if series.first
        else []
    )
    if series.first is None:
        return {
            "method": None,
            "message": "No won deals closed before this date in this scope: nothing to forecast.",
            "history": [],
            "months": [],
            "seasonal_naive": None,
            "backtests": [],
        }
    values = series.values
    ets = ets_auto(values, horizon)
    naive = seasonal_naive(values, horizon)
    tests = backtests(values, BACKTEST_MONTHS)
    message = ets.message
    if not tests:
        message = (message + " " if message else "") + (
            f"Too short a history to backtest: the backtests need at least {MIN_ETS + 1} months."
        )
    return {
        "method": ets.method,
        "model": {
            "form": ets.form.label if ets.form else None,
            "error": ets.form.error if ets.form else None,
            "trend": ets.form.trend if ets.form else None,
            "damped": ets.form.damped if ets.form else None,
            "seasonal": ets.form.seasonal if ets.form else None,
            "aicc": ets.aicc,
            "candidates": [{"form": f, "aicc": a} for f, a in ets.candidates],
        },
        "message": message.strip(),
        "history": history,
        "months": _months(ets, first_ahead),
        "seasonal_naive": {
            "method": naive.method,
            "message": naive.message,
            "months": _months(naive, first_ahead),
        },
        "backtests": [test.as_dict() for test in tests],
    }


def cached_forecast_series(series: MonthlySeries, horizon: int) -> dict[str, Any]:
    """`forecast_series`, remembered for a day under a digest of its input: the methods are
    deterministic (fixed seeds), so the same monthly figures always give the same answer,
    and a new won deal changes the digest. The ETS fits take seconds; the GROUP BY in front
    of them milliseconds."""
    digest = hashlib.sha256(
        f"{series.first}|{series.next_month}|{horizon}|".encode() + series.values.tobytes()
    ).hexdigest()
    key = f"forecasting:statistical:{CACHE_VERSION}:{digest}"
    body = cache.get(key)
    if body is None:
        body = forecast_series(series, horizon)
        cache.set(key, body, CACHE_SECONDS)
    return body


def pipeline_estimate(user: User, scope: Scope, as_of: dt.date, horizon: int) -> dict[str, Any]:
    deals = scope_deals(user, scope)
    found = open_deals(deals, visible(user, Deal.objects.alive()), as_of, horizon)
    forecast = pipeline_forecast(found.amounts, found.win_rates, found.months_ahead, horizon)
    return {
        "method": forecast.method,
        "deals": len(found.amounts),
        "without_close_date": found.without_close_date,
        "beyond_horizon": found.beyond_horizon,
        "months": _months(forecast, as_of.replace(day=1)),
    }


def statistical_forecast(
    *, user: User, scope: str, horizon: int, as_of: dt.date, use_cache: bool = True
) -> dict[str, Any]:
    """Everything about one scope's forecast; raises NotFound for a scope out of reach and
    DomainError for a horizon out of range."""
    if not 1 <= horizon <= MAX_HORIZON:
        raise DomainError(f"The horizon is 1 to {MAX_HORIZON} months.", field="horizon")
    resolved = parse_scope(user, scope)
    series = won_revenue_series(scope_deals(user, resolved), as_of)
    body = (
        cached_forecast_series(series, horizon) if use_cache else forecast_series(series, horizon)
    )
    return {
        "scope": resolved.key,
        "scope_label": resolved.label,
        "as_of": as_of.isoformat(),
        "horizon": horizon,
        "currency": settings.DEFAULT_CURRENCY,
        **body,
        "pipeline": pipeline_estimate(user, resolved, as_of, horizon),
    }
