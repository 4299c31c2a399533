"""The top bar suggests matches while typing, in Chromium: a combobox whose listbox fills
after a pause, walked with the arrow keys and opened with Enter; a typo is fine."""

import re
from typing import Any

import pytest

from tests.conftest import Org
from tests.crm.factories import AccountFactory, ContactFactory
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_typing_a_misspelled_name_suggests_it_and_the_keyboard_opens_it(
    org: Org, live_server: Any, page: Any
) -> None:
    account = AccountFactory(owner=org.rep, name="Soylent Robotics")
    ContactFactory(owner=org.stranger, first_name="Hidden", last_name="Soylent")
    login(page, live_server, org.rep.email)

    box = page.get_by_role("combobox", name="Search leads, deals, accounts and contacts")
    box.press_sequentially("Soylnt", delay=30)
    listbox = page.get_by_role("listbox", name="Suggestions")
    listbox.get_by_role("option", name=re.compile("Soylent Robotics")).wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert "Hidden" not in listbox.inner_text()

    box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active == f"suggest-account-{account.pk}"
    assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    box.press("Enter")
    page.wait_for_url(f"{live_server.url}/accounts/{account.pk}/")

    box = page.get_by_role("combobox", name="Search leads, deals, accounts and contacts")
    box.press_sequentially("Soylnt", delay=30)
    page.get_by_role("listbox", name="Suggestions").wait_for()
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    box.press("Enter")  # no option chosen: the whole search page
    page.wait_for_url(re.compile(r"/search/\?q=Soylnt"))
    assert page.get_by_role("link", name="Soylent Robotics").count() == 1
