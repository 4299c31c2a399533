"""The report builder in Chromium: a manager builds a chart by stage and owner (redrawn as
they pick), saves and pins it, sees it on the team dashboard, exports it and subscribes to
a weekly email; a rep of the team it is shared with sees only their own deals in it."""

from typing import Any

import pytest

from reporting.builder.models import SavedReport
from reporting.schedules.models import ReportSubscription
from tests.conftest import Org
from tests.e2e.conftest import login, screenshot
from tests.reporting.data import generate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _pick(page: Any, label: str, option: str) -> None:
    """Choose an option; htmx redraws the builder, wait for that answer."""
    with page.expect_response(lambda r: "/reports/builder/" in r.url and r.request.method == "GET"):
        page.get_by_label(label, exact=True).select_option(label=option)
    page.wait_for_function("() => !document.querySelector('#builder-form.htmx-request')")


def test_a_manager_builds_pins_exports_and_subscribes(
    org: Org, live_server: Any, page: Any
) -> None:
    generate([org.rep, org.teammate, org.stranger], per_owner=10)
    login(page, live_server, org.manager.email)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/reports/builder/")
    page.get_by_role("heading", name="Report builder").wait_for()
    page.wait_for_function(
        "() => document.querySelector('#builder canvas[data-chart-spec]').chart !== undefined"
    )
    _pick(page, "Period", "Any time")
    _pick(page, "Measure", "Sum")
    _pick(page, "Of the field", "Amount (company currency)")
    _pick(page, "Then by", "Owner")
    _pick(page, "Chart", "Stacked bar")
    page.wait_for_function(
        "() => document.querySelector('#builder canvas[data-chart-spec]').chart !== undefined"
    )
    assert "group_by2=owner" in page.url
    table = page.locator("#builder-table")
    assert table.locator("tbody tr").count() > 0
    assert org.stranger.full_name not in table.inner_text()
    screenshot(page, "report-builder")

    page.get_by_label("Report name").fill("Pipeline by stage and owner")
    page.get_by_label("Share with team (read-only)").select_option(label=org.east.name)
    page.get_by_role("button", name="Save report").click()
    page.get_by_role("heading", name="Pipeline by stage and owner").wait_for()
    report = SavedReport.objects.get(name="Pipeline by stage and owner")
    page.get_by_role("button", name="Pin to my dashboard").click()
    page.get_by_role("button", name="Unpin from my dashboard").wait_for()

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "Pipeline-by-stage-and-owner.csv"

    page.goto(f"{live_server.url}/reports/team/")
    page.get_by_role("heading", name="Pinned reports").wait_for()
    page.wait_for_function(
        f"() => document.getElementById('pinned-{report.pk}').chart !== undefined"
    )
    screenshot(page, "report-pinned-on-dashboard")
    page.locator("#pinned-reports").get_by_role(
        "link", name="Open “Pipeline by stage and owner”"
    ).click()
    page.get_by_role("link", name="Email me this").click()
    page.get_by_label("Frequency").select_option(label="Weekly (Monday)")
    page.get_by_role("button", name="Subscribe").click()
    page.locator("#subscriptions-table").get_by_text("Pipeline by stage and owner").wait_for()
    assert ReportSubscription.objects.filter(user=org.manager, report=report).exists()
    assert errors == []  # no CSP violation, no script error


def test_a_rep_sees_a_shared_report_with_only_their_deals(
    org: Org, live_server: Any, page: Any
) -> None:
    from reporting.builder.services import saved_report_share
    from tests.reporting.factories import saved_report

    generate([org.rep, org.teammate], per_owner=6)
    report = saved_report(org.manager, "Team by owner", group_by="owner")
    saved_report_share(actor=org.manager, report=report, team=org.east)
    login(page, live_server, org.rep.email)
    page.goto(f"{live_server.url}/reports/builder/{report.pk}/")
    page.get_by_role("heading", name="Team by owner").wait_for()
    rows = page.locator("#builder-table tbody tr")
    assert rows.count() == 1
    assert org.rep.full_name in rows.first.inner_text()
    page.get_by_role("button", name="Save a copy").wait_for()
