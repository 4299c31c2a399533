"""The reports API: every KPI as JSON with the pages' filters, rows carrying their
drill-down URL, bad parameters answering 400 in the one error shape."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from reporting.kpis import KPIS, ReportFilters, deal_stats
from tests.conftest import Org
from tests.conftest import api_client_for as api
from tests.reporting.data import generate

pytestmark = pytest.mark.django_db


def test_the_list_names_every_kpi_with_its_formula(org: Org) -> None:
    body = api(org.rep).get("/api/v1/reports/").json()
    assert [k["name"] for k in body] == list(KPIS)
    assert all(k["formula"] for k in body)


def test_won_revenue_by_owner_matches_the_figures_and_links_to_its_deals(org: Org) -> None:
    generate([org.rep, org.teammate, org.stranger])
    filters = ReportFilters.default(days=120)
    response = api(org.manager).get(
        "/api/v1/reports/won_revenue/",
        {
            "from": filters.date_from.isoformat(),
            "to": filters.date_to.isoformat(),
            "group_by": "owner",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["group_by"] == "owner"
    assert body["formula"] == KPIS["won_revenue"].formula
    rows = {row["key"]: row for row in body["rows"]}
    assert set(rows) <= {str(org.rep.pk), str(org.teammate.pk)}  # the manager's subtree
    for owner in (org.rep, org.teammate):
        stats = deal_stats(
            actor=org.manager, filters=ReportFilters.default(days=120, owner=owner.pk)
        )
        if stats.won_count:
            row = rows[str(owner.pk)]
            assert Decimal(str(row["value"])) == stats.won_amount
            assert row["count"] == stats.won_count
            assert "/deals/?" in row["url"]
            assert f"owner={owner.pk}" in row["url"]
            assert "status=won" in row["url"]


def test_a_rep_gets_only_their_own_numbers(org: Org) -> None:
    generate([org.rep, org.teammate])
    body = api(org.rep).get("/api/v1/reports/win_rate/", {"group_by": "owner"}).json()
    assert {row["key"] for row in body["rows"]} <= {str(org.rep.pk)}


def test_the_funnel_lists_its_steps_with_conversion(org: Org) -> None:
    generate([org.rep])
    body = api(org.admin).get("/api/v1/reports/funnel/").json()
    assert [row["key"] for row in body["rows"]] == ["lead", "mql", "sql", "deal", "won"]
    assert "drop_off" in body["rows"][1]["extra"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-05-01", "to": "2026-01-01"}, "to"),
        ({"from": "not-a-date"}, "from"),
        ({"from": "0001-01-01"}, "from"),
        ({"group_by": "colour"}, "group_by"),
        ({"owner": "99999999999999"}, "owner"),
        ({"team": "abc"}, "team"),
    ],
)
def test_bad_parameters_answer_400_with_the_field(
    org: Org, params: dict[str, str], field: str
) -> None:
    response = api(org.manager).get("/api/v1/reports/win_rate/", params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_grouping_the_kpi_does_not_support_is_a_400(org: Org) -> None:
    response = api(org.manager).get("/api/v1/reports/funnel/", {"group_by": "owner"})
    assert response.status_code == 400
    assert "group_by" in response.json()["error"]["fields"]


def test_an_unknown_kpi_is_a_404(org: Org) -> None:
    response = api(org.manager).get("/api/v1/reports/happiness/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_anonymous_callers_are_refused(org: Org) -> None:
    assert APIClient().get("/api/v1/reports/win_rate/").status_code in (401, 403)


def test_the_schema_documents_the_reports_endpoints(org: Org) -> None:
    schema = api(org.rep).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/v1/reports/" in schema["paths"]
    operation = schema["paths"]["/api/v1/reports/{kpi}/"]["get"]
    assert {"from", "to", "group_by", "team", "owner", "pipeline", "source"} <= {
        p["name"] for p in operation["parameters"]
    }
