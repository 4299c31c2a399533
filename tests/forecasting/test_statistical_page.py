"""The statistical forecast page and `manage.py forecast_statistical`."""

import datetime as dt
import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from tests.conftest import Org, client_for
from tests.forecasting.series import load_won, trend_and_season

pytestmark = pytest.mark.django_db
URL = "/forecast/statistical/"


def _history(org: Org) -> None:
    noise = np.random.default_rng(5).normal(0, 20, 26)
    load_won(org.rep, dt.date(2023, 1, 1), trend_and_season(26) + noise)


def test_a_manager_sees_the_team_chart_data_and_the_backtest_table(org: Org) -> None:
    _history(org)
    response = client_for(org.manager).get(
        URL, {"scope": f"team:{org.sales.pk}", "as_of": "2025-03-01", "horizon": "6"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="statistical-chart-data"' in html
    assert 'id="backtests"' in html
    assert "Seasonal naive" in html
    assert "<script>" not in html  # data goes through json_script, code through static files
    chart = response.context["chart"]
    assert len(chart["labels"]) == 26 + 6
    assert chart["actual"][25] is not None
    assert chart["actual"][26] is None
    assert chart["forecast"][25] is None
    assert chart["forecast"][26] is not None


def test_the_page_offers_only_scopes_the_user_may_see(org: Org) -> None:
    response = client_for(org.rep).get(URL)
    assert response.status_code == 200
    offered = [value for value, _ in response.context["form"].fields["scope"].choices]
    assert offered == [f"user:{org.rep.pk}"]
    assert "Nothing to forecast yet" in response.content.decode()
    assert client_for(org.rep).get(URL, {"scope": "company"}).status_code == 404
    assert client_for(org.manager).get(URL, {"scope": f"team:{org.west.pk}"}).status_code == 404


def test_a_bad_horizon_is_a_form_error_not_a_crash(org: Org) -> None:
    response = client_for(org.admin).get(URL, {"scope": "company", "horizon": "99"})
    assert response.status_code == 200
    assert response.context["body"] is None
    assert response.context["form"].errors["horizon"]


def test_the_command_prints_the_api_json(org: Org) -> None:
    _history(org)
    out = StringIO()
    call_command(
        "forecast_statistical", "--horizon", "3", "--as-of", "2025-03-01", "--json", stdout=out
    )
    body = json.loads(out.getvalue())
    assert body["scope"] == "company"
    assert [m["month"] for m in body["months"]] == ["2025-03", "2025-04", "2025-05"]
    assert {"value", "low_80", "high_80", "low_95", "high_95"} <= set(body["months"][0])


def test_the_command_refuses_bad_arguments_clearly(org: Org) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("forecast_statistical", "--as-of", "March")
    with pytest.raises(CommandError, match="--scope"):
        call_command("forecast_statistical", "--scope", "region:1")
    with pytest.raises(CommandError, match="--horizon"):
        call_command("forecast_statistical", "--horizon", "0")
