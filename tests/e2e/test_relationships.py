"""Issue 4's "done when", in Chromium: a rep works an account and a contact, the task shows on
My day, search forgives a typo, the manager sees it on the team view, another team gets 404."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from crm.models import Account, Contact, Task
from tests.conftest import Org
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _due_later_today() -> str:
    """A due time that is still today in the server's time zone (overdue just before midnight,
    which My day lists too)."""
    due = timezone.localtime() + timedelta(minutes=30)
    if due.date() != timezone.localdate():
        due = timezone.localtime() - timedelta(minutes=5)
    return due.strftime("%Y-%m-%dT%H:%M")


def test_a_rep_works_a_contact_and_only_their_side_of_the_org_can_open_it(
    org: Org, live_server: Any, browser: Any, page: Any
) -> None:
    # The rep creates an account from the accounts list.
    login(page, live_server, org.rep.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="New account").click()
    page.get_by_role("textbox", name="Name", exact=True).fill("Katzenberg Robotics")
    page.get_by_label("Domain").fill("https://www.Katzenberg-Robotics.com/about")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Katzenberg Robotics", level=1).wait_for()
    account = Account.objects.get(name="Katzenberg Robotics")
    assert page.url == f"{live_server.url}/accounts/{account.pk}/"
    assert account.domain == "katzenberg-robotics.com"

    # ...then a contact at that account.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    page.get_by_role("link", name="New contact").click()
    page.get_by_role("textbox", name="First name").fill("Wilhelmina")
    page.get_by_role("textbox", name="Last name").fill("Oppenheimer")
    page.get_by_label("Email", exact=True).fill("w.opp@katzenberg-robotics.com")
    page.get_by_label("Phone").fill("+49 30 1234567")
    page.get_by_label("Account", exact=True).select_option(label="Katzenberg Robotics")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Wilhelmina Oppenheimer", level=1).wait_for()
    contact = Contact.objects.get(last_name="Oppenheimer")
    contact_url = f"{live_server.url}/contacts/{contact.pk}/"
    assert page.url == contact_url
    assert (contact.account, contact.owner) == (account, org.rep)

    # A call is logged on the contact and shows on its timeline.
    log = page.get_by_role("tabpanel", name="Log activity")
    log.get_by_role("combobox", name="Kind").select_option(label="Call")
    log.get_by_role("textbox", name="Subject").fill("Discovery call")
    log.get_by_label("Outcome").fill("Booked a demo")
    log.get_by_role("button", name="Log it").click()
    page.wait_for_url(contact_url)
    timeline = page.get_by_role("region", name="Timeline")
    timeline.get_by_text("Discovery call").wait_for()

    # A task due today, added from the "Add task" tab.
    page.get_by_role("tab", name="Add task").click()
    task_pane = page.get_by_role("tabpanel", name="Add task")
    task_pane.get_by_role("textbox", name="Title").fill("Send the demo invite")
    task_pane.get_by_label(re.compile(r"^Due")).fill(_due_later_today())
    task_pane.get_by_role("combobox", name="Priority").select_option(label="High")
    task_pane.get_by_role("button", name="Add task").click()
    page.wait_for_url(contact_url)
    page.get_by_role("region", name="Tasks").get_by_text("Send the demo invite").wait_for()
    assert Task.objects.get(title="Send the demo invite").owner == org.rep
    screenshot(page, "contact-with-call-and-task")

    # My day lists the task.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My day").click()
    page.wait_for_url(f"{live_server.url}/")
    tasks_due = page.get_by_role("region", name="Tasks due")
    tasks_due.get_by_text("Send the demo invite").wait_for()
    screenshot(page, "my-day-rep")

    # The global search finds the contact by a misspelled name.
    search = page.get_by_role("combobox", name="Search leads, deals, accounts and contacts")
    search.fill("Wilhelmnia Openheimer")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    page.get_by_role("link", name="Wilhelmina Oppenheimer").first.click()
    page.wait_for_url(contact_url)

    # The manager sees the task on the team view of My day, and with the rep filter.
    manager = browser.new_context(viewport={"width": 1366, "height": 850}).new_page()
    manager.set_default_timeout(15_000)
    login(manager, live_server, org.manager.email)
    manager.get_by_role("heading", name="My team's day").wait_for()
    manager.get_by_role("region", name="Tasks due").get_by_text("Send the demo invite").wait_for()
    manager.get_by_label("Rep", exact=True).select_option(label=org.rep.full_name)
    manager.wait_for_url(re.compile(rf"\?rep={org.rep.pk}$"))
    manager.get_by_role("heading", name=f"{org.rep.full_name}'s day").wait_for()
    manager.get_by_role("region", name="Tasks due").get_by_text("Send the demo invite").wait_for()
    screenshot(manager, "my-day-manager-rep-filter")
    manager.get_by_label("Rep", exact=True).select_option(label=org.teammate.full_name)
    manager.wait_for_url(re.compile(rf"\?rep={org.teammate.pk}$"))
    assert manager.get_by_text("Send the demo invite").count() == 0
    manager.context.close()

    # A rep of another team gets a 404 on the contact's URL, and search does not show it.
    stranger = browser.new_context(viewport={"width": 1366, "height": 850}).new_page()
    stranger.set_default_timeout(15_000)
    login(stranger, live_server, org.stranger.email)
    response = stranger.goto(contact_url)
    assert response.status == 404
    assert "Wilhelmina" not in stranger.content()
    stranger.get_by_role("heading", level=1).wait_for()
    screenshot(stranger, "contact-404-for-another-team")
    stranger.goto(f"{live_server.url}/search/?q=Oppenheimer")
    assert stranger.get_by_role("link", name="Wilhelmina Oppenheimer").count() == 0
    stranger.context.close()
