"""Coaching lists and Excel exports of report tables."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from leads.models import Lead
from pipeline.models import StageKind
from reporting.coaching import coaching_for
from reporting.kpis import ReportFilters
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory, TaskFactory
from tests.leads.factories import LeadFactory, LeadSourceFactory
from tests.pipeline.factories import DealFactory, make_pipeline, open_stages
from tests.reporting.data import generate

pytestmark = pytest.mark.django_db


def test_a_reps_coaching_list_names_untouched_hot_leads_late_deals_and_overdue_tasks(
    org: Org,
) -> None:
    now = timezone.now()
    LeadFactory.create_batch(2, owner=org.rep, score=90, status="mql", last_activity_at=None)
    LeadFactory(owner=org.rep, score=90, status="mql", last_activity_at=now)  # touched today
    LeadFactory(owner=org.teammate, score=95, status="mql")  # someone else's
    stage = open_stages(make_pipeline())[0]
    DealFactory(
        owner=org.rep, stage=stage, expected_close_date=timezone.localdate() - timedelta(days=3)
    )
    TaskFactory(
        owner=org.rep, account=AccountFactory(owner=org.rep), due_at=now - timedelta(days=1)
    )
    items = coaching_for(actor=org.manager, rep=org.rep, filters=ReportFilters.default())
    counts = [item.count for item in items]
    assert counts == [2, 1, 1]
    assert "A-scored" in items[0].text
    assert coaching_for(actor=org.rep, rep=org.teammate, filters=ReportFilters.default()) == []


def test_the_rep_dashboard_and_the_managers_view_of_a_rep_show_the_list(org: Org) -> None:
    LeadFactory(owner=org.rep, score=90, status="sql")
    mine = client_for(org.rep).get(reverse("reporting:rep")).context["dashboard"]
    assert [item.count for item in mine.coaching] == [1]
    team = client_for(org.manager).get(reverse("reporting:manager"), {"owner": org.rep.pk})
    assert team.context["dashboard"].coached == org.rep
    assert "Coaching:" in team.content.decode()


def test_a_manager_is_told_when_a_reps_win_rate_trails_the_team(org: Org) -> None:
    pipeline = make_pipeline()
    won = pipeline.stages.get(kind=StageKind.WON)
    lost = pipeline.stages.get(kind=StageKind.LOST)
    closed = timezone.now() - timedelta(days=2)
    for owner, stage in (
        (org.rep, lost),
        (org.rep, lost),
        (org.teammate, won),
        (org.teammate, won),
    ):
        DealFactory(
            owner=owner, stage=stage, closed_at=closed, created_at=closed - timedelta(days=9)
        )
    items = coaching_for(actor=org.manager, rep=org.rep, filters=ReportFilters.default())
    assert any("Win rate 0 %" in item.text for item in items)


def test_a_report_table_exports_as_excel_with_text_cells_never_formulas(org: Org) -> None:
    generate([org.rep])
    Lead.objects.update(source=LeadSourceFactory(name="=SUM(A1)", slug="sum"))
    response = client_for(org.manager).get(
        reverse("reporting:export_xlsx", args=["lead_volume"]), {"group_by": "source"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("source", "Lead volume", "count")
    assert rows[1][0] == "'=SUM(A1)"
