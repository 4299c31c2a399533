"""Reports in Chromium: a manager filters the team dashboard to a team and a quarter and
drills from the win rate to the deals behind it; a rep sees their place on the leaderboard."""

from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import Org
from tests.e2e.conftest import login, screenshot
from tests.reporting.data import generate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_filters_the_dashboard_and_drills_from_the_win_rate(
    org: Org, live_server: Any, page: Any
) -> None:
    generate([org.rep, org.teammate, org.manager, org.stranger], per_owner=14)
    login(page, live_server, org.manager.email)
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("heading", name="Team dashboard").wait_for()
    page.wait_for_function("() => document.getElementById('funnel-chart').chart !== undefined")
    screenshot(page, "reports-manager")

    page.get_by_label("Team", exact=True).select_option(label=org.east.name)
    page.get_by_label("Period", exact=True).select_option(label="This quarter")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/reports/team/?*")
    tile = page.locator("#figures a", has_text="Win rate").first
    figure = tile.locator(".stat-value").inner_text()
    tile.click()
    page.wait_for_url("**/deals/?*status=closed*")
    quarter_start = timezone.localdate().replace(
        month=(timezone.localdate().month - 1) // 3 * 3 + 1, day=1
    )
    assert f"closed_from={quarter_start.isoformat()}" in page.url
    assert f"team={org.east.pk}" in page.url
    screenshot(page, "reports-drill-win-rate")
    assert figure


def test_a_rep_sees_their_numbers_and_leaderboard(org: Org, live_server: Any, page: Any) -> None:
    generate([org.rep, org.teammate, org.stranger], per_owner=14)
    login(page, live_server, org.rep.email)
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("heading", name="My numbers").wait_for()
    page.locator("#my-rank").wait_for()
    page.wait_for_function("() => document.getElementById('funnel-chart').chart !== undefined")
    screenshot(page, "reports-rep")


def test_an_admin_sees_the_company_and_data_quality(org: Org, live_server: Any, page: Any) -> None:
    generate([org.rep, org.teammate, org.stranger], per_owner=8)
    login(page, live_server, org.admin.email)
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("heading", name="Company dashboard").wait_for()
    page.get_by_role("heading", name="Data quality").wait_for()
    screenshot(page, "reports-admin")
