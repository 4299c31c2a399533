"""`GET /api/v1/forecasts/statistical/`: parameters, permissions and the answer's shape."""

import datetime as dt

import numpy as np
import pytest

from tests.conftest import Org, client_for
from tests.forecasting.series import load_won, trend_and_season

pytestmark = pytest.mark.django_db
URL = "/api/v1/forecasts/statistical/"


def test_a_manager_gets_the_team_forecast_with_intervals_naive_and_backtests(org: Org) -> None:
    noise = np.random.default_rng(3).normal(0, 20, 30)
    load_won(org.rep, dt.date(2023, 1, 1), trend_and_season(30) + noise)
    response = client_for(org.manager).get(
        URL, {"scope": f"team:{org.sales.pk}", "horizon": 6, "as_of": "2025-07-01"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["method"].startswith("ETS(")
    assert body["scope_label"] == org.sales.name
    assert len(body["history"]) == 30
    assert [m["month"] for m in body["months"]][:2] == ["2025-07", "2025-08"]
    for month in body["months"]:
        assert month["low_95"] <= month["low_80"] <= month["value"]
        assert month["value"] <= month["high_80"] <= month["high_95"]
    assert body["seasonal_naive"]["method"] == "seasonal naive"
    assert len(body["seasonal_naive"]["months"]) == 6
    names = [test["name"] for test in body["backtests"]]
    assert names == ["one_origin", "walk_forward"]
    assert body["backtests"][0]["ets"]["points"] == 12
    assert body["pipeline"]["deals"] == 0
    # Asked again, the same figures come from the cache.
    again = client_for(org.admin).get(
        URL, {"scope": f"team:{org.sales.pk}", "horizon": 6, "as_of": "2025-07-01"}
    )
    assert again.json()["months"] == body["months"]


def test_a_scope_without_history_answers_with_a_message(org: Org) -> None:
    response = client_for(org.rep).get(URL, {"scope": f"user:{org.rep.pk}"})
    assert response.status_code == 200
    body = response.json()
    assert body["method"] is None
    assert body["months"] == []
    assert "No won deals" in body["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"horizon": "0"}, "horizon"),
        ({"horizon": "abc"}, "horizon"),
        ({"horizon": "37"}, "horizon"),
        ({"as_of": "2025-13-01"}, "as_of"),
        ({"scope": "region:4"}, "scope"),
        ({"scope": "team:x"}, "scope"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(
    org: Org, params: dict[str, str], field: str
) -> None:
    response = client_for(org.admin).get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.content.decode()


def test_scopes_out_of_reach_are_a_404(org: Org) -> None:
    cases = [
        (org.rep, "company"),
        (org.manager, "company"),
        (org.rep, f"team:{org.east.pk}"),
        (org.rep, f"user:{org.teammate.pk}"),
        (org.manager, f"team:{org.west.pk}"),
        (org.manager, f"user:{org.stranger.pk}"),
        (org.admin, "team:999999"),
    ]
    for user, scope in cases:
        response = client_for(user).get(URL, {"scope": scope})
        assert response.status_code == 404, (user.email, scope)
        assert response.json()


def test_anonymous_callers_are_refused(org: Org) -> None:
    assert client_for(None).get(URL).status_code in (401, 403)


def test_the_endpoint_is_in_the_openapi_schema(org: Org) -> None:
    schema = client_for(org.admin).get("/api/schema/").content.decode()
    assert "/api/v1/forecasts/statistical/" in schema
    assert "low_80" in schema
