"""The underperformance diagnosis recomputed in Python from generated rows."""

import statistics
from decimal import Decimal

import pytest
from django.utils import timezone

from forecasting import periods
from forecasting.models import Quota, QuotaPeriodKind
from forecasting.selectors import fiscal_start_month
from pipeline.models import Deal, StageKind
from reporting.diagnosis import diagnose
from reporting.kpis import ReportFilters
from tests.conftest import Org, client_for
from tests.crm.factories import ActivityFactory, TaskFactory
from tests.reporting.data import Generated, company_amount, generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(org: Org) -> Generated:
    return generate([org.rep, org.teammate, org.stranger, org.manager], per_owner=14)


def _in(filters: ReportFilters, moment: object) -> bool:
    return moment is not None and filters.start <= moment < filters.end  # type: ignore[operator]


def _expected(data: Generated, filters: ReportFilters, owners: set[int]) -> dict[str, object]:
    deals = {d.pk for d in data.deals}
    cohort = [x for x in data.leads if x.owner_id in owners and _in(filters, x.created_at)]

    def passed(lead_id: int, statuses: set[str]) -> bool:
        return bool(data.passed[lead_id] & statuses)

    mql = sum(1 for x in cohort if passed(x.pk, {"mql", "sql", "converted"}))
    sql = sum(1 for x in cohort if passed(x.pk, {"sql", "converted"}))
    converted = sum(1 for x in cohort if x.converted_deal_id in deals)
    closed: list[Deal] = [
        d
        for d in data.deals
        if d.owner_id in owners and d.stage.kind != StageKind.OPEN and _in(filters, d.closed_at)
    ]
    won = [d for d in closed if d.stage.kind == StageKind.WON]
    cycles = [(d.closed_at - d.created_at).total_seconds() / 86400 for d in won]  # type: ignore[operator]
    return {
        "mql_sql": (sql, mql),
        "sql_deal": (converted, sql),
        "win_rate": (len(won), len(closed)),
        "cycle": statistics.median(cycles) if cycles else None,
        "avg": float(sum(company_amount(d) for d in won) / len(won)) if won else None,
        "won": sum((company_amount(d) for d in won), Decimal(0)),
    }


def _pct(pair: object) -> float | None:
    part, whole = (int(n) for n in pair)  # type: ignore[attr-defined]
    return round(part * 100 / whole, 1) if whole else None


def test_the_manager_sees_where_a_rep_leaks_against_the_team_with_the_figures(
    org: Org, data: Generated
) -> None:
    filters = ReportFilters.default(days=150)
    ActivityFactory(owner=org.rep, kind="call", occurred_at=timezone.now())
    ActivityFactory(owner=org.teammate, kind="meeting", occurred_at=timezone.now())
    ActivityFactory(owner=org.teammate, kind="email", occurred_at=timezone.now())
    TaskFactory(owner=org.teammate, done_at=timezone.now())

    result = diagnose(actor=org.manager, rep=org.rep, filters=filters)

    mine = _expected(data, filters, {org.rep.pk})
    team = _expected(data, filters, {org.rep.pk, org.teammate.pk})
    by_key = {c.key: c for c in result.comparisons}
    for key in ("mql_sql", "sql_deal", "win_rate"):
        assert by_key[key].mine == _pct(mine[key]), key
        assert by_key[key].team == _pct(team[key]), key
        pair: tuple[int, int] = mine[key]  # type: ignore[assignment]
        assert f"({pair[0]} of {pair[1]}" in by_key[key].sentence
    assert by_key["cycle"].mine == pytest.approx(mine["cycle"], abs=0.051)
    assert by_key["cycle"].team == pytest.approx(team["cycle"], abs=0.051)
    assert by_key["deal_size"].mine == pytest.approx(mine["avg"], abs=0.01)
    assert by_key["deal_size"].team == pytest.approx(team["avg"], abs=0.01)
    assert by_key["activity"].mine == 1
    assert by_key["activity"].team == 2.0  # 4 over 2 members
    assert by_key["activity"].leaks
    assert by_key["win_rate"].sentence.startswith(
        f"{org.rep.full_name}'s win rate is {_pct(mine['win_rate']):.0f}% vs the team's"
    )
    # No quota: below target means under the team's median of won revenue.
    members = [mine["won"], team["won"] - mine["won"]]  # type: ignore[operator]
    median = statistics.median(members)
    assert result.team_median == Decimal(str(median)).quantize(Decimal("0.01"))
    assert result.below_target == (mine["won"] < median)  # type: ignore[operator]
    # The drill-down behind the rep's win rate lists that many closed deals.
    summary = client_for(org.manager).get(by_key["win_rate"].url).context["summary"]
    assert summary.count == mine["win_rate"][1]  # type: ignore[index]


def test_with_a_quota_below_target_means_behind_its_pace(org: Org, data: Generated) -> None:
    quarter = periods.current(periods.QUARTER, fiscal_start_month())
    Quota.objects.create(
        user=org.rep,
        period_kind=QuotaPeriodKind.QUARTER,
        period_start=quarter.start,
        period_end=quarter.end,
        period_key=quarter.key,
        amount=Decimal("99999999"),
    )
    result = diagnose(actor=org.rep, rep=org.rep, filters=ReportFilters.default())
    assert result.below_target
    assert result.quota == Decimal("99999999")
    assert "quota" in result.target_sentence
    assert result.target_sentence.startswith("You won")


def test_a_rep_sees_the_team_as_totals_without_links(org: Org, data: Generated) -> None:
    result = diagnose(actor=org.rep, rep=org.rep, filters=ReportFilters.default(days=150))
    assert all(c.team_url == "" for c in result.comparisons)
    assert any(c.url for c in result.comparisons)
    team = _expected(data, ReportFilters.default(days=150), {org.rep.pk, org.teammate.pk})
    win = next(c for c in result.comparisons if c.key == "win_rate")
    assert win.team == _pct(team["win_rate"])


def test_the_diagnosis_api_and_page_are_for_the_rep_their_managers_and_admins(
    org: Org, data: Generated
) -> None:
    url = f"/api/v1/reports/diagnosis/{org.rep.pk}/"
    answer = client_for(org.manager).get(url)
    assert answer.status_code == 200
    assert {c["key"] for c in answer.json()["comparisons"]} == {
        "mql_sql",
        "sql_deal",
        "win_rate",
        "cycle",
        "activity",
        "deal_size",
    }
    assert client_for(org.rep).get(url).status_code == 200
    assert client_for(org.stranger_manager).get(url).status_code == 404
    assert client_for(org.teammate).get(url).status_code == 404
    page = client_for(org.manager).get(f"/reports/diagnosis/{org.rep.pk}/")
    assert page.status_code == 200
    assert 'id="diagnosis-table"' in page.content.decode()
    assert client_for(org.teammate).get(f"/reports/diagnosis/{org.rep.pk}/").status_code == 403
    dashboard = client_for(org.manager).get(f"/reports/team/?owner={org.rep.pk}")
    assert 'id="diagnosis-slot"' in dashboard.content.decode()
