"""Forecasting in Chromium: an admin types and pastes a quarter's quotas into the grid, a
manager opens the team forecast with its chart."""

from typing import Any

import pytest
from django.utils import timezone

from forecasting.models import Quota
from tests.conftest import Org
from tests.e2e.conftest import login, screenshot
from tests.forecasting.factories import open_deal, pipeline, won_deal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_admin_fills_the_quota_grid_with_keys_and_a_paste(
    org: Org, live_server: Any, page: Any
) -> None:
    login(page, live_server, org.admin.email)
    page.goto(f"{live_server.url}/forecast/manage/quotas/?year=FY2026&by=quarter")
    first = page.locator(f'input[name="q|user:{org.rep.pk}|FY2026-Q1"]')
    first.click()
    first.fill("30000")
    first.press("ArrowDown")  # to the next row's Q1 cell
    focused = page.evaluate("() => document.activeElement.name")
    assert focused.endswith("|FY2026-Q1")
    assert focused != f"q|user:{org.rep.pk}|FY2026-Q1"
    # a 1 x 2 block from a spreadsheet lands in Q2 and Q3 of the teammate's row
    page.evaluate(
        """(name) => {
            const cell = document.querySelector(`input[name="${name}"]`);
            const data = new DataTransfer();
            data.setData("text", "12,000\\t13000\\n");
            cell.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
        }""",
        f"q|user:{org.teammate.pk}|FY2026-Q2",
    )
    page.get_by_role("button", name="Save quotas").click()
    page.get_by_text("3 quota(s) saved.").wait_for()
    amounts = dict(Quota.objects.values_list("period_key", "amount").filter(user=org.teammate))
    assert {k: str(v) for k, v in amounts.items()} == {
        "FY2026-Q2": "12000.00",
        "FY2026-Q3": "13000.00",
    }
    screenshot(page, "forecast-quota-grid")


def test_a_manager_opens_the_team_forecast(org: Org, live_server: Any, page: Any) -> None:
    pipe = pipeline()
    today = timezone.localdate()
    won_deal(pipe, org.rep, "4000", today)
    won_deal(pipe, org.teammate, "1500", today)
    open_deal(pipe, org.rep, "2500", today, "commit")
    open_deal(pipe, org.teammate, "3000", today, "best_case")
    from forecasting import periods

    quarter = periods.current(periods.QUARTER, 1)
    from tests.forecasting.factories import quota

    quota(quarter.key, "10000", user=org.rep)
    quota(quarter.key, "5000", user=org.teammate)
    login(page, live_server, org.manager.email)
    page.goto(f"{live_server.url}/forecast/")
    page.wait_for_selector("#attainment-chart")
    page.wait_for_function("() => document.getElementById('attainment-chart').chart !== undefined")
    assert "5,500" in page.locator('[data-figure="won"]').inner_text()
    screenshot(page, "forecast-team")
    page.locator('[data-figure="commit"]').click()
    page.wait_for_url("**/deals/**")
    assert page.locator("tbody tr").count() >= 1
