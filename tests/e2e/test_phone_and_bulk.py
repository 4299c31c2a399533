"""In the browser: the bulk bar shows only what its action uses; on a phone, lists and the
board open with their data, the filters behind a button."""

from typing import Any

import pytest

from tests.conftest import Org
from tests.e2e.conftest import login, screenshot
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory, make_pipeline, open_stages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_bulk_bar_shows_only_the_fields_of_the_chosen_action(
    org: Org, live_server: Any, page: Any
) -> None:
    LeadFactory(owner=org.rep, last_name="Wright")
    login(page, live_server, org.manager.email)
    page.goto(f"{live_server.url}/leads/")
    action = page.get_by_label("Bulk action")
    owner, status, reason = (
        page.get_by_label("New owner"),
        page.get_by_label("New status"),
        page.get_by_label("Reason"),
    )
    action.select_option("assign")
    assert owner.is_visible()
    assert not status.is_visible()
    assert not reason.is_visible()
    action.select_option("status")
    assert status.is_visible()
    assert reason.is_visible()
    assert not owner.is_visible()
    action.select_option("disqualify")
    assert reason.is_visible()
    assert not status.is_visible()
    assert not owner.is_visible()


@pytest.mark.parametrize(
    ("path", "form_name"), [("/leads/", "Filter leads"), ("/deals/board/", "Filter the board")]
)
def test_on_a_phone_the_filters_fold_behind_a_button(
    path: str, form_name: str, org: Org, live_server: Any, browser: Any
) -> None:
    pipeline = make_pipeline("Phone pipeline")
    DealFactory(owner=org.rep, stage=open_stages(pipeline)[0])
    LeadFactory(owner=org.rep, last_name="Wright")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        login(page, live_server, org.rep.email)
        page.goto(f"{live_server.url}{path}?pipeline={pipeline.pk}")
        filters = page.get_by_role("form", name=form_name)
        button = page.get_by_role("button", name="Filters")
        assert not filters.is_visible()
        assert button.get_attribute("aria-expanded") == "false"
        button.click()
        assert filters.is_visible()
        assert button.get_attribute("aria-expanded") == "true"
        screenshot(page, f"phone-filters-{path.strip('/').replace('/', '-')}")
        # On a wide screen the filters are simply there, with no button.
        page.set_viewport_size({"width": 1400, "height": 900})
        page.reload()
        assert filters.is_visible()
        assert not button.is_visible()
    finally:
        context.close()
