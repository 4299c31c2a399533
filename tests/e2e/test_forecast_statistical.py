"""A manager opens the statistical forecast of their team in a real browser."""

import datetime as dt
from typing import Any

import numpy as np
import pytest

from tests.conftest import Org
from tests.e2e.conftest import login, screenshot
from tests.forecasting.series import load_won, trend_and_season

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_sees_the_team_forecast_chart_with_bands_and_backtests(
    org: Org, live_server: Any, page: Any
) -> None:
    noise = np.random.default_rng(11).normal(0, 20, 26)
    load_won(org.rep, dt.date(2023, 1, 1), trend_and_season(26) + noise)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server, org.manager.email)
    page.goto(f"{live_server.url}/forecast/statistical/?scope=team:{org.sales.pk}&as_of=2025-03-01")
    page.wait_for_function("() => document.getElementById('statistical-chart').chart")
    datasets = page.evaluate(
        "() => document.getElementById('statistical-chart').chart.data.datasets.map(d => d.label)"
    )
    assert "80 % interval" in datasets
    assert "95 % interval" in datasets
    assert "Seasonal naive" in datasets
    assert page.locator("#backtests tbody tr").count() == 6
    assert errors == []
    screenshot(page, "forecast-statistical")
