"""Manager adjustments: only the manager above may adjust; roll-ups use the override and
keep the original beside it; every change is audited."""

from datetime import date
from decimal import Decimal

import pytest

from crm.errors import DomainError, NotFound, PermissionDenied
from crm.models import AuditEntry, Role
from forecasting import periods, services
from forecasting.forecast import forecast
from forecasting.models import ForecastAdjustment
from tests.conftest import Org, client_for
from tests.crm.factories import TeamFactory, UserFactory
from tests.forecasting.factories import open_deal, pipeline

pytestmark = pytest.mark.django_db

Q1 = "FY2026-Q1"


@pytest.fixture
def east_manager(org: Org):  # type: ignore[no-untyped-def]
    """East gets its own manager: the manager above its reps; Sales' manager is above East."""
    boss = UserFactory(role=Role.MANAGER, team=org.east, email="east-boss@test.example")
    org.east.manager = boss  # type: ignore[assignment]
    org.east.save()
    return boss


def _deals(org: Org) -> None:
    pipe = pipeline()
    open_deal(pipe, org.rep, "300", date(2026, 2, 1), "commit")
    open_deal(pipe, org.teammate, "200", date(2026, 2, 1), "commit")
    open_deal(pipe, org.rep, "100", date(2026, 2, 1), "best_case")


def test_roll_ups_use_the_override_and_show_the_original(org: Org, east_manager) -> None:  # type: ignore[no-untyped-def]
    _deals(org)
    services.adjustment_set(
        actor=east_manager,
        scope=f"user:{org.rep.pk}",
        period=Q1,
        category="commit",
        amount="1000",
        note="Big renewal signs early",
    )
    span = periods.parse_period(Q1, 1)
    team = forecast(east_manager, f"team:{org.east.pk}", span)
    assert team.total.figures.amounts["commit"] == Decimal("500.00")  # the deals, untouched
    assert team.total.adjusted["commit"] == Decimal("1200.00")  # 1000 (override) + 200
    rep = next(line for line in team.reps if line.scope.key == f"user:{org.rep.pk}")
    assert (rep.adjusted["commit"], rep.figures.amounts["commit"]) == (
        Decimal("1000"),
        Decimal("300.00"),
    )
    assert rep.adjustments["commit"].original_amount == Decimal("300.00")
    assert rep.adjusted["best_case"] == Decimal("100.00")

    # Sales' manager overrides East as a whole: the Sales roll-up takes that figure.
    services.adjustment_set(
        actor=org.manager,
        scope=f"team:{org.east.pk}",
        period=Q1,
        category="commit",
        amount="900",
        note="Haircut",
    )
    sales = forecast(org.manager, f"team:{org.sales.pk}", span)
    assert sales.total.adjusted["commit"] == Decimal("900")
    east_line = next(line for line in sales.teams if line.scope.key == f"team:{org.east.pk}")
    assert east_line.adjusted["commit"] == Decimal("900")
    assert east_line.figures.amounts["commit"] == Decimal("500.00")
    assert sales.total.open_adjusted == Decimal("1000")  # 900 + best case 100
    assert (
        AuditEntry.objects.filter(action="create", content_type__model="forecastadjustment").count()
        == 2
    )


def test_a_deeper_override_rolls_up_through_a_grandparent(org: Org) -> None:
    south = TeamFactory(name="South", parent=org.east)
    seller = UserFactory(role=Role.REP, team=south)
    open_deal(pipeline(), seller, "50", date(2026, 1, 9), "commit")
    services.adjustment_set(
        actor=org.manager,
        scope=f"team:{south.pk}",
        period=Q1,
        category="commit",
        amount="80",
        note="x",
    )
    result = forecast(org.admin, "company", periods.parse_period(Q1, 1))
    assert result.total.adjusted["commit"] == Decimal("80")
    by_key = {line.scope.key: line for line in result.teams}
    assert by_key[f"team:{org.sales.pk}"].adjusted["commit"] == Decimal("80")


def test_only_the_manager_above_may_adjust(org: Org, east_manager) -> None:  # type: ignore[no-untyped-def]
    args = {"period": Q1, "category": "commit", "amount": "5", "note": "n"}
    with pytest.raises(PermissionDenied) as skipped:  # Sales' manager is two levels up
        services.adjustment_set(actor=org.manager, scope=f"user:{org.rep.pk}", **args)
    assert east_manager.full_name in skipped.value.message
    with pytest.raises(PermissionDenied):  # a rep can't adjust themselves
        services.adjustment_set(actor=org.rep, scope=f"user:{org.rep.pk}", **args)
    with pytest.raises(PermissionDenied):  # nor an admin: it is the manager's call
        services.adjustment_set(actor=org.admin, scope=f"user:{org.rep.pk}", **args)
    with pytest.raises(PermissionDenied):  # a manager can't adjust their own team
        services.adjustment_set(actor=east_manager, scope=f"team:{org.east.pk}", **args)
    with pytest.raises(NotFound):  # not theirs to see
        services.adjustment_set(actor=org.stranger_manager, scope=f"user:{org.rep.pk}", **args)
    assert ForecastAdjustment.objects.count() == 0


def test_bad_adjustments_are_refused(org: Org, east_manager) -> None:  # type: ignore[no-untyped-def]
    base = {"actor": east_manager, "scope": f"user:{org.rep.pk}", "period": Q1}
    for bad in (
        {"category": "commit", "amount": "-1", "note": "n"},
        {"category": "pipeline", "amount": "1", "note": "n"},
        {"category": "commit", "amount": "1", "note": "  "},
        {"category": "commit", "amount": "1", "note": "n", "period": "FY2026-Q0"},
    ):
        with pytest.raises(DomainError):
            services.adjustment_set(**{**base, **bad})
    assert ForecastAdjustment.objects.count() == 0


def test_the_adjustments_api_answers_403_with_the_reason(org: Org, east_manager) -> None:  # type: ignore[no-untyped-def]
    body = {
        "scope": f"user:{org.rep.pk}",
        "period": Q1,
        "category": "commit",
        "amount": "10",
        "note": "ok",
    }
    denied = client_for(org.manager).post(
        "/api/v1/forecasts/adjustments/", body, content_type="application/json"
    )
    assert denied.status_code == 403
    assert "manager above" in str(denied.json())
    ok = client_for(east_manager).post(
        "/api/v1/forecasts/adjustments/", body, content_type="application/json"
    )
    assert ok.status_code == 201, ok.content
    listed = (
        client_for(org.rep).get(f"/api/v1/forecasts/adjustments/?period={Q1}").json()["results"]
    )
    assert [row["amount"] for row in listed] == ["10.00"]
    assert client_for(org.stranger).get("/api/v1/forecasts/adjustments/").json()["results"] == []
    forecast_body = (
        client_for(east_manager)
        .get(f"/api/v1/forecasts/?scope=team:{org.east.pk}&period={Q1}")
        .json()
    )
    assert forecast_body["total"]["adjusted"]["commit"]["amount"] == "10.00"
    gone = client_for(east_manager).delete(f"/api/v1/forecasts/adjustments/{ok.json()['id']}/")
    assert gone.status_code == 204


def test_the_page_form_adjusts_and_a_forged_post_is_403(org: Org, east_manager) -> None:  # type: ignore[no-untyped-def]
    _deals(org)
    form = {
        "scope": f"user:{org.rep.pk}",
        "back_scope": f"team:{org.east.pk}",
        "period": Q1,
        "category": "commit",
        "amount": "777",
        "note": "Pulled in",
    }
    assert client_for(org.manager).post("/forecast/adjust/", form).status_code == 403
    response = client_for(east_manager).post("/forecast/adjust/", form)
    assert response.status_code == 302
    page = client_for(east_manager).get(response["Location"]).content.decode()
    assert "777" in page
    assert "Pulled in" in page
