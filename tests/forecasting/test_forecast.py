"""The forecast page and API: buckets, roll-ups through the team tree, quota figures,
drill-down links that count the same deals, and scopes the user can't see."""

from datetime import date
from decimal import Decimal

import pytest

from crm.models import Role
from forecasting import periods
from forecasting.forecast import forecast
from pipeline.models import StageKind
from tests.conftest import Org, client_for
from tests.crm.factories import TeamFactory, UserFactory
from tests.forecasting.factories import open_deal, pipeline, quota, won_deal
from tests.pipeline.factories import DealFactory, make_currency

pytestmark = pytest.mark.django_db

Q1 = "FY2026-Q1"


def _book(org: Org) -> None:
    """Deals of Q1 2026 for rep and teammate (East, under Sales), one for a stranger (West)."""
    make_currency("EUR", "2.00")
    pipe = pipeline()
    won_deal(pipe, org.rep, "1000", date(2026, 1, 5))
    won_deal(pipe, org.rep, "250.50", date(2026, 3, 31), currency="EUR")  # 501.00
    won_deal(pipe, org.rep, "999", date(2026, 4, 1))  # Q2
    open_deal(pipe, org.rep, "300", date(2026, 2, 1), "commit")
    open_deal(pipe, org.rep, "200", date(2026, 2, 1), "best_case")
    open_deal(pipe, org.teammate, "400", date(2026, 3, 1), "pipeline")
    open_deal(pipe, org.teammate, "50", date(2026, 3, 1), "omitted")
    open_deal(pipe, org.teammate, "70", date(2026, 5, 1), "commit")  # Q2
    lost = pipe.stages.get(kind=StageKind.LOST)
    DealFactory(owner=org.rep, stage=lost, amount=Decimal(5), expected_close_date=date(2026, 2, 2))
    won_deal(pipe, org.stranger, "7777", date(2026, 2, 1))
    quota(Q1, "3000", user=org.rep)
    quota(Q1, "1000", user=org.teammate)
    quota(Q1, "5000", team=org.sales)


def test_the_team_forecast_rolls_up_the_tree_with_quota_figures(org: Org) -> None:
    _book(org)
    result = forecast(org.manager, f"team:{org.sales.pk}", periods.parse_period(Q1, 1))
    total = result.total
    assert total.figures.amounts == {
        "won": Decimal("1501.00"),
        "commit": Decimal("300.00"),
        "best_case": Decimal("200.00"),
        "pipeline": Decimal("400.00"),
        "omitted": Decimal("50.00"),
    }
    assert total.figures.counts == {
        "won": 2,
        "commit": 1,
        "best_case": 1,
        "pipeline": 1,
        "omitted": 1,
    }
    assert total.quota == Decimal("5000")
    assert total.attainment == Decimal("30.0")
    assert total.gap == Decimal("3499.00")
    assert total.coverage == Decimal("0.26")  # 900 / 3499
    east = next(line for line in result.teams if line.scope.key == f"team:{org.east.pk}")
    sales = next(line for line in result.teams if line.scope.key == f"team:{org.sales.pk}")
    assert east.figures.amounts == sales.figures.amounts  # all of Sales' deals are East's
    assert east.quota is None
    rep = next(line for line in result.reps if line.scope.key == f"user:{org.rep.pk}")
    assert (rep.closed_won, rep.quota, rep.attainment) == (
        Decimal("1501.00"),
        Decimal("3000"),
        Decimal("50.0"),
    )
    assert rep.coverage == Decimal("0.33")  # 500 / 1499
    assert {line.scope.key for line in result.reps} >= {
        f"user:{org.rep.pk}",
        f"user:{org.teammate.pk}",
    }
    assert f"user:{org.stranger.pk}" not in {line.scope.key for line in result.reps}


def test_a_deeper_team_tree_rolls_up_grandchildren(org: Org) -> None:
    south = TeamFactory(name="South", parent=org.east)
    seller = UserFactory(role=Role.REP, team=south)
    won_deal(pipeline(), seller, "10", date(2026, 1, 2))
    result = forecast(org.admin, "company", periods.parse_period(Q1, 1))
    by_key = {line.scope.key: line for line in result.teams}
    for team in (org.sales, org.east, south):
        assert by_key[f"team:{team.pk}"].closed_won == Decimal("10.00")
    assert by_key[f"team:{org.west.pk}"].closed_won == Decimal("0")


def test_every_figure_links_to_a_deal_list_with_the_same_count(org: Org) -> None:
    _book(org)
    for user, scope in (
        (org.manager, f"team:{org.sales.pk}"),
        (org.rep, f"user:{org.rep.pk}"),
        (org.admin, "company"),
    ):
        result = forecast(user, scope, periods.parse_period(Q1, 1))
        client = client_for(user)
        for line in [result.total, *result.reps, *result.teams]:
            for cell in line.cells:
                response = client.get(cell["link"])
                assert response.status_code == 200
                assert response.context["summary"].count == cell["count"], (scope, line.label, cell)
            opened = client.get(line.links["open"]).context["summary"].count
            assert opened == line.figures.open_count


def test_the_forecast_page_and_api_answer_with_the_numbers(org: Org) -> None:
    _book(org)
    page = client_for(org.manager).get(f"/forecast/?scope=team:{org.sales.pk}&period={Q1}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="attainment-chart"' in html
    assert "1,501" in html
    api = client_for(org.manager).get(f"/api/v1/forecasts/?scope=team:{org.sales.pk}&period={Q1}")
    assert api.status_code == 200
    body = api.json()
    assert body["total"]["won"] == {
        "amount": "1501.00",
        "count": 2,
        "deals": body["total"]["won"]["deals"],
    }
    assert body["total"]["coverage"] == "0.26"
    assert body["total"]["attainment_percent"] == "30.0"


def test_a_scope_the_user_cannot_see_is_a_404_on_page_and_api(org: Org) -> None:
    for user, scope in (
        (org.manager, f"team:{org.west.pk}"),
        (org.manager, f"user:{org.stranger.pk}"),
        (org.rep, f"user:{org.teammate.pk}"),
        (org.rep, "company"),
        (org.rep, "nonsense:1"),
    ):
        client = client_for(user)
        assert client.get(f"/forecast/?scope={scope}").status_code == 404
        response = client.get(f"/api/v1/forecasts/?scope={scope}")
        assert response.status_code == 404, scope
        assert response.json()


def test_a_wrong_period_is_a_400_on_the_api(org: Org) -> None:
    response = client_for(org.admin).get("/api/v1/forecasts/?period=FY2026-Q7")
    assert response.status_code == 400
    assert "period" in str(response.json())


def test_a_person_imported_without_an_email_is_a_scope_member_with_their_own_forecast(
    org: Org,
) -> None:
    from crm.services.people import person_create
    from forecasting.scopes import Scope, resolve_scope, scope_choices

    person = person_create(actor=org.admin, name="Anna Snelling", team_id=org.east.pk)
    won_deal(pipeline(), person, "640", date(2026, 2, 3))
    assert person in Scope("team", team=org.east).members()
    assert resolve_scope(org.admin, f"user:{person.pk}").user == person
    assert f"user:{person.pk}" in dict(scope_choices(org.admin))
    body = client_for(org.admin).get("/forecast/", {"period": Q1, "scope": f"user:{person.pk}"})
    assert body.status_code == 200
