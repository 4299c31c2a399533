"""Recognition in Chromium: a rep sees their badges, board places, a team challenge and
where their funnel leaks on My numbers, then their place on the leaderboard; an admin sees
the source return on the Company dashboard and drills into its new customers."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from reporting.recognition.challenges import challenge_create
from reporting.recognition.settings import reporting_settings_update
from tests.conftest import Org
from tests.e2e.conftest import login, screenshot
from tests.reporting.data import generate
from tests.reporting.test_source_return import _generate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_rep_sees_badges_places_challenges_and_diagnosis(
    org: Org, live_server: Any, page: Any
) -> None:
    generate([org.rep, org.teammate, org.stranger, org.manager], per_owner=16)
    reporting_settings_update(actor=org.admin, leaderboard_min_deals=1)
    today = timezone.localdate()
    challenge_create(
        actor=org.manager,
        name="December push",
        metric="won_revenue",
        target=Decimal(60000),
        team=org.sales,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=20),
    )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server, org.rep.email)
    page.goto(f"{live_server.url}/reports/me/")
    page.locator("#badges").get_by_text("First deal won").wait_for()
    page.locator("#challenges").get_by_text("December push").wait_for()
    page.locator("#diagnosis-table").wait_for()
    assert page.locator("#positions tbody tr").count() == 4
    page.get_by_role("link", name="All boards").click()
    page.locator("#leaderboard-chart").wait_for()
    assert "You are #" in page.locator("#my-position").inner_text()
    assert page.evaluate("() => !!document.getElementById('leaderboard-chart').chart")
    screenshot(page, "recognition-leaderboard")
    assert errors == []


def test_an_admin_drills_from_source_return_to_the_new_customers(
    org: Org, live_server: Any, page: Any
) -> None:
    _generate([org.rep, org.teammate])
    login(page, live_server, org.admin.email)
    page.goto(f"{live_server.url}/reports/company/?period=year")
    table = page.locator("#source-return-table")
    table.wait_for()
    assert page.evaluate("() => !!document.getElementById('source-return-chart').chart")
    link = table.locator("tbody tr").first.locator("td").nth(1).locator("a")
    figure = int(link.inner_text())
    page.goto(live_server.url + str(link.get_attribute("href")))
    assert int(page.locator("#drill-count").inner_text()) == figure
    screenshot(page, "source-return-drill")
