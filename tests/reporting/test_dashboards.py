"""The dashboards: who may open which, a constant number of queries, and every number
opening a list whose count and total are that number."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import User
from leads.models import Lead
from pipeline.models import StageKind
from reporting.kpis import KPIS, ReportFilters, deal_stats, deals_url, kpi_table, leads_url
from tests.conftest import Org, client_for
from tests.leads.factories import LeadSourceFactory
from tests.reporting.data import generate

pytestmark = pytest.mark.django_db


def _queries(user: User, url: str) -> int:
    client = client_for(user)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("role", "route", "status"),
    [
        ("rep", "reporting:rep", 200),
        ("rep", "reporting:manager", 403),
        ("rep", "reporting:admin", 403),
        ("manager", "reporting:manager", 200),
        ("manager", "reporting:rep", 200),
        ("manager", "reporting:admin", 403),
        ("admin", "reporting:admin", 200),
        ("admin", "reporting:manager", 200),
    ],
)
def test_each_role_opens_its_dashboards_only(org: Org, role: str, route: str, status: int) -> None:
    generate([org.rep, org.teammate, org.stranger], per_owner=3)
    response = client_for(getattr(org, role)).get(reverse(route))
    assert response.status_code == status


def test_reports_open_on_the_dashboard_of_the_users_role(org: Org) -> None:
    for user, route in ((org.rep, "rep"), (org.manager, "manager"), (org.admin, "admin")):
        response = client_for(user).get(reverse("reporting:index") + "?period=month")
        assert response.status_code == 302
        assert response["Location"] == reverse(f"reporting:{route}") + "?period=month"


@pytest.mark.parametrize("route", ["reporting:manager", "reporting:rep", "reporting:admin"])
def test_a_dashboard_runs_the_same_number_of_queries_however_much_data(
    org: Org, route: str
) -> None:
    user = (
        org.rep
        if route == "reporting:rep"
        else org.admin
        if route == "reporting:admin"
        else org.manager
    )
    everyone = [org.rep, org.teammate, org.manager, org.stranger]
    generate(everyone, per_owner=6)
    small = _queries(user, reverse(route))
    generate(everyone, per_owner=12, seed=3)
    assert _queries(user, reverse(route)) == small


def test_bad_dates_show_a_form_error_and_the_default_period(org: Org) -> None:
    response = client_for(org.manager).get(
        reverse("reporting:manager"), {"date_from": "2026-05-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "before its start" in response.content.decode()
    response = client_for(org.manager).get(reverse("reporting:manager"), {"date_from": "nope"})
    assert response.status_code == 200


def _deal_list(user: User, url: str) -> Any:
    response = client_for(user).get(url)
    assert response.status_code == 200
    return response.context["summary"]


def _status_total(summary: Any, label: str) -> Decimal:
    total = next((f.total for f in summary.by_status if f.label == label), Decimal(0))
    return _cents(total)


def _cents(value: Decimal | None) -> Decimal:
    """The list sums unrounded converted amounts; the figure shows them to the cent."""
    return (value or Decimal(0)).quantize(Decimal("0.01"))


def test_drilling_from_win_rate_and_won_revenue_lists_the_same_deals(org: Org) -> None:
    generate([org.rep, org.teammate, org.stranger, org.manager])
    filters = ReportFilters.default(days=120, team=org.east)
    stats = deal_stats(actor=org.manager, filters=filters)
    assert stats.won_count

    closed = _deal_list(org.manager, deals_url(filters, status="closed"))
    assert closed.count == stats.won_count + stats.lost_count
    assert _status_total(closed, "Won") == stats.won_amount
    assert _status_total(closed, "Lost") == stats.lost_amount

    won = _deal_list(org.manager, deals_url(filters, status="won"))
    assert won.count == stats.won_count
    assert _cents(won.total) == stats.won_amount

    open_now = _deal_list(org.manager, deals_url(filters, status="open"))
    assert open_now.count == stats.open_count
    assert _cents(open_now.total) == stats.open_amount


@pytest.mark.parametrize("group_by", ["owner", "team", "source", "stage", "month", "quarter"])
def test_every_won_revenue_row_drills_to_a_list_with_its_count_and_total(
    org: Org, group_by: str
) -> None:
    generate([org.rep, org.teammate, org.stranger, org.manager])
    filters = ReportFilters.default(days=200)
    table = kpi_table(actor=org.admin, kpi=KPIS["won_revenue"], filters=filters, group_by=group_by)
    assert table.rows
    for row in table.rows:
        if not row.url:
            continue
        summary = _deal_list(org.admin, row.url)
        assert summary.count == row.count, row.label
        assert _cents(summary.total) == row.value, row.label


def test_funnel_steps_and_lead_volume_drill_to_lists_of_that_many_leads(org: Org) -> None:
    generate([org.rep, org.teammate, org.stranger, org.manager])
    filters = ReportFilters.default(days=120, team=org.sales)
    client = client_for(org.manager)
    for row in kpi_table(actor=org.manager, kpi=KPIS["funnel"], filters=filters).rows:
        response = client.get(row.url)
        assert response.context["count"] == row.count, row.label
    volume = kpi_table(actor=org.manager, kpi=KPIS["lead_volume"], filters=filters)
    for row in volume.rows:
        if row.url:
            assert client.get(row.url).context["count"] == row.count, row.label


def test_a_reps_dashboard_shows_their_numbers_and_leaderboard_place(org: Org) -> None:
    data = generate([org.rep, org.teammate, org.stranger], per_owner=15)
    response = client_for(org.rep).get(reverse("reporting:rep"))
    dashboard = response.context["dashboard"]
    start = timezone.localdate() - timedelta(days=89)
    mine = [
        d
        for d in data.deals
        if d.owner_id == org.rep.pk
        and d.stage.kind == StageKind.WON
        and d.closed_at is not None
        and timezone.localdate(d.closed_at) >= start
    ]
    assert dashboard.figures[1].value == len(mine)
    ranked = [row["user_id"] for row in dashboard.leaderboard]
    assert ranked == sorted(
        ranked,
        key=lambda uid: -next(r["won"] for r in dashboard.leaderboard if r["user_id"] == uid),
    )
    if len(mine) >= 2:
        assert dashboard.my_rank == ranked.index(org.rep.pk) + 1
    # Never another rep's deals: every drill link of the page names the rep.
    assert all(f"owner={org.rep.pk}" in f.url for f in dashboard.figures)


def test_a_manager_sees_their_subtree_and_not_another_team(org: Org) -> None:
    generate([org.rep, org.stranger], per_owner=8)
    dashboard = client_for(org.manager).get(reverse("reporting:manager")).context["dashboard"]
    assert {line.user_id for line in dashboard.reps} <= {
        org.rep.pk,
        org.teammate.pk,
        org.manager.pk,
    }
    assert leads_url(dashboard.filters)  # the funnel links exist


def test_a_report_table_exports_as_formula_safe_csv(org: Org) -> None:
    generate([org.rep, org.teammate])
    evil = LeadSourceFactory(name="=HYPERLINK(1)", slug="evil")
    Lead.objects.filter(owner=org.rep).update(source=evil)
    response = client_for(org.manager).get(
        reverse("reporting:export", args=["lead_volume"]), {"group_by": "source"}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.splitlines()[0].startswith("source,Lead volume,count")
    assert "'=HYPERLINK(1)" in body
    assert (
        client_for(org.manager).get(reverse("reporting:export", args=["nope"])).status_code == 404
    )
