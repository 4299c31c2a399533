"""The builder's page and API: build, save, share read-only with a team, pin to the
dashboard, export; a shared report shows each viewer only what they may see."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from crm.models import AuditEntry
from reporting.builder.models import ReportPin, SavedReport
from reporting.builder.services import saved_report_share
from tests.conftest import Org, api_client_for, client_for
from tests.pipeline.factories import DealFactory
from tests.reporting.factories import saved_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(org: Org) -> None:
    for owner, amount in (
        (org.rep, "100"),
        (org.rep, "50"),
        (org.teammate, "7"),
        (org.stranger, "9"),
    ):
        DealFactory(owner=owner, amount=Decimal(amount), name="=HYPERLINK(evil)")


def test_the_builder_shows_the_chart_and_table_at_once(org: Org, deals: None) -> None:
    page = client_for(org.manager).get(
        "/reports/builder/",
        {
            "source": "deals",
            "measure": "sum",
            "field": "amount",
            "group_by": "owner",
            "chart": "bar",
            "period": "all",
        },
    )
    assert page.status_code == 200
    rows = {r.labels[0]: r.value for r in page.context["result"].rows}
    assert rows == {org.rep.full_name: Decimal("150.00"), org.teammate.full_name: Decimal("7.00")}
    assert b'id="builder-chart-' in page.content
    assert b"data-chart-spec=" in page.content
    assert page.context["result"].chart_data()["labels"] == sorted(
        [org.rep.full_name, org.teammate.full_name], key=str.lower
    )


def test_htmx_refresh_answers_only_the_workspace(org: Org, deals: None) -> None:
    page = client_for(org.rep).get(
        "/reports/builder/", {"group_by": "stage", "period": "all"}, HTTP_HX_REQUEST="true"
    )
    assert page.status_code == 200
    assert b'id="builder"' in page.content
    assert b"<html" not in page.content


def test_an_invalid_definition_is_a_form_error_not_a_500(org: Org) -> None:
    page = client_for(org.rep).get(
        "/reports/builder/",
        {
            "source": "deals",
            "chart": "pie",
            "group_by": "stage",
            "group_by2": "owner",
            "period": "all",
        },
    )
    assert page.status_code == 200
    assert page.context["result"] is None
    assert "A pie shows one grouping" in str(page.context["form"].errors)


def test_saving_sharing_and_pinning_a_report(org: Org, deals: None) -> None:
    client = client_for(org.rep)
    response = client.post(
        "/reports/builder/",
        {
            "source": "deals",
            "measure": "count",
            "group_by": "owner",
            "chart": "bar",
            "period": "all",
            "date_field": "created",
            "save-name": "My deals",
            "save-team": org.east.pk,
        },
    )
    report = SavedReport.objects.get(name="My deals")
    assert response.status_code == 302
    assert response["Location"] == f"/reports/builder/{report.pk}/"
    assert AuditEntry.objects.filter(object_id=str(report.pk), action="create").exists()
    # The teammate (same team) sees it read-only, run over what *they* may see.
    teammate = client_for(org.teammate)
    page = teammate.get(f"/reports/builder/{report.pk}/")
    assert page.status_code == 200
    assert page.context["editable"] is False
    assert [r.keys[0] for r in page.context["result"].rows] == [org.teammate.pk]
    refused = teammate.post(
        f"/reports/builder/{report.pk}/",
        {
            "source": "deals",
            "measure": "count",
            "group_by": "stage",
            "chart": "bar",
            "period": "all",
            "date_field": "created",
            "save-name": "Mine now",
            "action": "update",
        },
    )
    assert refused.status_code == 200
    assert SavedReport.objects.get(pk=report.pk).name == "My deals"
    assert "read-only" in str(refused.context["save_form"].errors)
    # Someone in another team doesn't see it at all.
    assert client_for(org.stranger).get(f"/reports/builder/{report.pk}/").status_code == 404
    # Pinned, it shows on the teammate's dashboards.
    teammate.post(f"/reports/builder/{report.pk}/pin/")
    assert ReportPin.objects.filter(user=org.teammate, report=report).exists()
    block = teammate.get("/reports/builder/pinned/")
    assert b"My deals" in block.content
    assert b"pinned-" in block.content
    dashboard = teammate.get("/reports/me/")
    assert b'hx-get="/reports/builder/pinned/?dashboard=rep"' in dashboard.content
    # Unshared, the teammate loses it (and its pin shows nothing).
    saved_report_share(actor=org.rep, report=report, team=None)
    assert teammate.get(f"/reports/builder/{report.pk}/").status_code == 404
    assert b"My deals" not in teammate.get("/reports/builder/pinned/").content


def test_the_export_is_formula_safe_in_csv_and_xlsx(org: Org, deals: None) -> None:
    report = saved_report(org.rep, "=cmd report", group_by="owner")
    client = client_for(org.rep)
    response = client.get(f"/reports/builder/{report.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["Owner", "Number of deals", "count", "list"]
    assert rows[1][:3] == [org.rep.full_name, "2", "2"]
    assert rows[1][3].startswith("http://testserver/deals/?")
    xlsx = client.get(f"/reports/builder/{report.pk}/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in next(sheet.iter_rows())] == [
        "Owner",
        "Number of deals",
        "count",
        "list",
    ]
    assert (
        AuditEntry.objects.filter(
            action="export", changes__list=f"report:saved:{report.pk}"
        ).count()
        == 2
    )


def test_the_api_saves_lists_runs_and_refuses_bad_definitions(org: Org, deals: None) -> None:
    api = api_client_for(org.manager)
    created = api.post(
        "/api/v1/reports/saved/",
        {
            "name": "Team amounts",
            "measure": "sum",
            "field": "amount",
            "group_by": "owner",
            "filters": {"period": "all"},
            "shared_team": org.east.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["shared_team"] == org.east.pk
    assert body["owner"] == org.manager.pk
    run = api.get(f"/api/v1/reports/saved/{body['id']}/run/").json()
    assert {(r["labels"][0], r["value"], r["count"]) for r in run["rows"]} == {
        (org.rep.full_name, 150.0, 2),
        (org.teammate.full_name, 7.0, 1),
    }
    assert all(r["url"].startswith("http://testserver/deals/?") for r in run["rows"])
    # The rep it is shared with sees it, runs it over their own deals, can't change it.
    rep = api_client_for(org.rep)
    assert [r["id"] for r in rep.get("/api/v1/reports/saved/").json()["results"]] == [body["id"]]
    mine = rep.get(f"/api/v1/reports/saved/{body['id']}/run/").json()
    assert [(r["value"], r["count"]) for r in mine["rows"]] == [(150.0, 2)]
    pinned = rep.post(f"/api/v1/reports/saved/{body['id']}/pin/")
    assert pinned.status_code == 200
    assert pinned.json()["pinned"] is True
    assert ReportPin.objects.filter(user=org.rep, report_id=body["id"]).exists()
    assert rep.delete(f"/api/v1/reports/saved/{body['id']}/pin/").status_code == 204
    assert rep.delete(f"/api/v1/reports/saved/{body['id']}/pin/").status_code == 404
    assert (
        rep.patch(f"/api/v1/reports/saved/{body['id']}/", {"name": "x"}, format="json").status_code
        == 403
    )
    assert rep.delete(f"/api/v1/reports/saved/{body['id']}/").status_code == 403
    assert (
        api_client_for(org.stranger).get(f"/api/v1/reports/saved/{body['id']}/").status_code == 404
    )
    # Bad definitions: 400 with the field named, in the one error shape.
    for payload, field in (
        ({"name": "a", "group_by": "colour"}, "group_by"),
        ({"name": "b", "measure": "sum", "field": "name", "group_by": "owner"}, "field"),
        ({"name": "c", "group_by": "stage", "chart": "pie", "group_by2": "owner"}, "chart"),
    ):
        refused = api.post("/api/v1/reports/saved/", payload, format="json")
        assert refused.status_code == 400
        assert field in refused.json()["error"]["fields"]
    changed = api.patch(
        f"/api/v1/reports/saved/{body['id']}/",
        {"group_by": "stage", "shared_team": None},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["group_by"] == "stage"
    assert changed.json()["shared_team"] is None
    assert api.delete(f"/api/v1/reports/saved/{body['id']}/").status_code == 204


def test_saved_reports_are_in_the_openapi_schema(org: Org) -> None:
    schema = api_client_for(org.admin).get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/reports/saved/" in schema["paths"]
    assert "/api/v1/reports/saved/{id}/run/" in schema["paths"]


def test_a_report_whose_custom_field_was_deleted_says_so_instead_of_failing(org: Org) -> None:
    from crm.models import CustomField

    field = CustomField.objects.create(
        model_label="pipeline.Deal", key="region", name="Region", type="choice", choices=["N"]
    )
    report = saved_report(org.rep, "By region", group_by="cf:region")
    field.delete()
    page = client_for(org.rep).get(f"/reports/builder/{report.pk}/")
    assert page.status_code == 200
    assert "can't run any more" in page.context["error"]
    run = api_client_for(org.rep).get(f"/api/v1/reports/saved/{report.pk}/run/")
    assert run.status_code == 400
    assert "group_by" in run.json()["error"]["fields"]
    pinned = client_for(org.rep)
    pinned.post(f"/reports/builder/{report.pk}/pin/")
    assert b"can&#x27;t run any more" in pinned.get("/reports/builder/pinned/").content


def test_the_pinned_block_costs_a_bounded_number_of_queries(
    org: Org, deals: None, django_assert_max_num_queries: object
) -> None:
    client = client_for(org.manager)
    for n in range(3):
        report = saved_report(org.manager, f"Pinned {n}", group_by="owner", group_by2="stage")
        client.post(f"/reports/builder/{report.pk}/pin/")
    # session, user, the manager's scope (3), the pins with their reports; then per report
    # the deals shared with the viewer, one aggregate and one label look-up per grouping
    with django_assert_max_num_queries(6 + 3 * 4):  # type: ignore[operator]
        page = client.get("/reports/builder/pinned/")
    assert page.content.count(b"data-chart-spec=") == 3


def test_the_demo_gives_the_first_manager_a_pinned_emailed_report(org: Org) -> None:
    from reporting.builder import demo
    from reporting.schedules.models import ReportSubscription

    demo.seed(lambda _: None)
    demo.seed(lambda _: None)  # idempotent
    report = SavedReport.objects.get(owner=org.manager)
    assert ReportPin.objects.filter(user=org.manager, report=report).count() == 1
    assert ReportSubscription.objects.filter(user=org.manager, report=report).count() == 1
    # Shared with the manager's team: its members see it (run over their own deals).
    assert client_for(org.manager).get(f"/reports/builder/{report.pk}/").status_code == 200


def test_formula_like_labels_are_escaped_in_both_exports(org: Org) -> None:
    from tests.leads.factories import LeadFactory, LeadSourceFactory

    source = LeadSourceFactory(name="=HYPERLINK(evil)", slug="evil")
    LeadFactory(owner=org.rep, source=source)
    report = saved_report(org.rep, "Leads by source", source="leads", group_by="source")
    client = client_for(org.rep)
    response = client.get(f"/reports/builder/{report.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][0] == "'=HYPERLINK(evil)"
    xlsx = client.get(f"/reports/builder/{report.pk}/export.xlsx")
    cell = load_workbook(io.BytesIO(xlsx.content)).active["A2"]
    assert (cell.value, cell.data_type) == ("'=HYPERLINK(evil)", "s")


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "x", "filters": []},
        {"name": "x", "group_by": "stage", "filters": {"team": {"a": 1}}},
        {"name": "x", "group_by": "stage", "filters": {"owner": 1.5}},
        {"name": "x", "group_by": "stage", "filters": {"owner": True}},
        {"name": "x", "group_by": "stage", "filters": {"owner": 10**30}},
        {
            "name": "x",
            "group_by": "stage",
            "filters": {"period": "custom", "date_from": "2026-99-01", "date_to": "2026-01-01"},
        },
        {
            "name": "x",
            "group_by": "stage",
            "filters": {"period": "custom", "date_from": "0001-01-01", "date_to": "0001-01-02"},
        },
        {"name": "x", "group_by": "stage", "filters": {"custom": "tier"}},
        {"name": "x", "group_by": "stage", "filters": {"status": "maybe"}},
        {"name": "x", "group_by": "stage", "filters": {"date_field": "closed_at"}},
        {"name": "x", "source": "accounts"},
        {"name": "x", "group_by": "cf:nope"},
        {"name": "x", "measure": "sum", "field": "cf:nope", "group_by": "stage"},
        {"name": "", "group_by": "stage"},
        {"name": "x", "group_by": "month", "group_by2": "quarter"},
        {"name": "x", "group_by": "stage", "shared_team": 999999},
    ],
)
def test_odd_definitions_answer_400_never_500(org: Org, payload: dict[str, object]) -> None:
    response = api_client_for(org.rep).post("/api/v1/reports/saved/", payload, format="json")
    assert response.status_code == 400, response.content
    assert "error" in response.json()


def test_odd_builder_query_strings_answer_200_with_errors(org: Org) -> None:
    client = client_for(org.manager)
    for params in (
        {"group_by": "colour"},
        {"owner": "abc", "group_by": "stage"},
        {"date_from": "99999-01-01", "period": "custom"},
        {"source": "leads", "group_by": "stage"},
        {"cf_tier": "gold"},
        {"measure": "median", "field": "probability", "group_by": "owner", "chart": "line"},
    ):
        response = client.get("/reports/builder/", params)
        assert response.status_code == 200, params
    assert client.get("/reports/builder/export.csv", {"group_by": "colour"}).status_code == 302
