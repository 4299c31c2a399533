"""Issue 6's "done when", in Chromium: a website visitor's lead reaches the right rep by the
rules, who qualifies and converts it into an account, a contact and a deal on the board; and
the create form warns about a near-duplicate before anything is saved."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from crm.models import Account, Contact, Notification
from leads.models import Lead, LeadStatus
from pipeline.models import Deal
from tests.conftest import Org
from tests.e2e.conftest import login, screenshot
from tests.leads.factories import (
    AssignmentRuleFactory,
    LeadFactory,
    LeadSourceFactory,
    WebFormFactory,
)
from tests.pipeline.factories import make_pipeline

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _new_page(browser: Any) -> Any:
    page = browser.new_context(viewport={"width": 1366, "height": 850}).new_page()
    page.set_default_timeout(15_000)
    return page


def test_a_web_lead_is_routed_by_region_qualified_converted_and_lands_on_the_board(
    org: Org, live_server: Any, browser: Any, page: Any
) -> None:
    LeadSourceFactory(slug="inbound-website", name="Inbound / website")
    AssignmentRuleFactory(name="EMEA to Rep", position=1, region="EMEA", user=org.rep)
    AssignmentRuleFactory(name="Everyone else", position=2, user=org.teammate)
    webform = WebFormFactory(name="Talk to sales", created_by=org.admin)
    pipeline = make_pipeline("Direct sales")
    make_pipeline("Renewals")

    # A visitor fills in the hosted form on the company's website and is thanked.
    visitor = _new_page(browser)
    visitor.goto(f"{live_server.url}/w2l/?form={webform.public_key}")
    visitor.get_by_role("heading", name="Talk to sales").wait_for()
    visitor.get_by_role("textbox", name="First name").fill("Greta")
    visitor.get_by_role("textbox", name="Last name").fill("Hoffmann")
    visitor.get_by_role("textbox", name="Work email").fill("greta.hoffmann@nordwerk.example")
    visitor.get_by_role("textbox", name="Company").fill("Nordwerk Logistik")
    visitor.get_by_role("textbox", name="Country").fill("Germany")
    visitor.get_by_role("combobox", name="Region").select_option(
        label="Europe, Middle East and Africa"
    )
    visitor.get_by_role("combobox", name="When do you need it?").select_option(
        label="Immediate need"
    )
    visitor.get_by_role("textbox", name="Message").fill("We need 40 seats before the audit.")
    screenshot(visitor, "web-to-lead-form")
    visitor.get_by_role("button", name="Send").click()
    visitor.get_by_role("heading", name="Thank you!").wait_for()
    visitor.context.close()
    lead = Lead.objects.get(email="greta.hoffmann@nordwerk.example")
    assert (lead.owner, lead.region, lead.source.slug) == (org.rep, "EMEA", "inbound-website")

    # The rep signs in: the lead is on My day and the bell has a notification about it.
    login(page, live_server, org.rep.email)
    new_leads = page.get_by_role("region", name="New leads for you")
    new_leads.get_by_role("link", name="Greta Hoffmann").wait_for()
    bell = page.get_by_role("button", name=re.compile(r"^Notifications, 1 unread"))
    bell.wait_for()
    screenshot(page, "my-day-rep-new-lead")
    bell.click()
    page.get_by_role("link", name=re.compile("New lead assigned to you: Greta Hoffmann")).wait_for()
    assert Notification.objects.filter(user=org.rep, read_at__isnull=True).count() == 1

    # She opens it and qualifies it: suspect → MQL → SQL, each step in the status history.
    new_leads.get_by_role("link", name="Greta Hoffmann").click()
    lead_url = f"{live_server.url}/leads/{lead.pk}/"
    page.wait_for_url(lead_url)
    page.get_by_role("heading", name="Greta Hoffmann", level=1).wait_for()
    # opening the lead from My day answered its notification
    assert not Notification.objects.filter(user=org.rep, read_at__isnull=True).exists()
    page.get_by_role("button", name="Mark MQL").click()
    page.get_by_text("Lead is now Marketing qualified (MQL).").wait_for()
    page.get_by_role("button", name="Qualify to SQL").click()
    page.get_by_text("Lead is now Sales qualified (SQL).").wait_for()
    steps = page.get_by_role("region", name="Status history").get_by_role("listitem")
    assert [re.sub(r"\s+by .*", "", text) for text in steps.all_inner_texts()] == [
        "Marketing qualified (MQL) → Sales qualified (SQL)",  # newest first
        "Suspect → Marketing qualified (MQL)",
    ]
    lead.refresh_from_db()
    assert lead.status == LeadStatus.SQL
    screenshot(page, "lead-sql")

    # Converting creates the account, the contact and a deal in the chosen pipeline.
    page.get_by_role("link", name="Convert").click()
    page.wait_for_url(f"{lead_url}convert/")
    assert page.get_by_role("radio", name="Create a new account").is_checked()
    assert page.get_by_role("textbox", name="New account name").input_value() == (
        "Nordwerk Logistik"
    )
    assert page.get_by_role("checkbox", name="Create a deal").is_checked()
    page.get_by_role("combobox", name="Pipeline").select_option(label="Direct sales")
    page.get_by_role("textbox", name="Deal name").fill("Nordwerk - 40 seats")
    page.get_by_role("spinbutton", name="Amount").fill("24000")
    close = (timezone.localdate() + timedelta(days=20)).isoformat()
    page.get_by_label("Expected close date").fill(close)
    screenshot(page, "lead-convert")
    page.get_by_role("button", name="Convert").click()
    page.wait_for_url(lead_url)
    page.get_by_text("Converted: the account, contact and deal are ready.").wait_for()
    deal = Deal.objects.get(source_leads=lead.pk)
    account = Account.objects.get(name="Nordwerk Logistik")
    contact = Contact.objects.get(email="greta.hoffmann@nordwerk.example")
    assert (deal.name, deal.amount, deal.pipeline, deal.account) == (
        "Nordwerk - 40 seats",
        24000,
        pipeline,
        account,
    )
    assert (contact.account, deal.owner, account.owner) == (account, org.rep, org.rep)
    converted = page.get_by_text(re.compile(r"^\s*Converted on"))
    for name in ("Nordwerk Logistik", "Greta Hoffmann", "Nordwerk - 40 seats"):
        converted.get_by_role("link", name=name).wait_for()

    # The deal waits in the pipeline's first stage on the kanban board.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Deals").click()
    page.get_by_role("link", name="Board").click()
    page.wait_for_url(re.compile(r"/deals/board/"))
    page.get_by_role("navigation", name="Pipelines").get_by_role(
        "link", name="Direct sales"
    ).click()
    page.wait_for_url(re.compile(rf"pipeline={pipeline.pk}$"))
    page.get_by_role("heading", name="Direct sales", level=1).wait_for()
    card = page.get_by_role("article", name="Nordwerk - 40 seats")
    card.get_by_role("link", name="Nordwerk - 40 seats").wait_for()
    assert "Nordwerk Logistik" in card.inner_text()
    first_column = page.locator(f'.kanban-col-body[data-stage="{deal.stage_id}"]')
    assert first_column.locator(f"#deal-card-{deal.pk}").count() == 1
    screenshot(page, "board-with-converted-deal")


def test_a_misspelled_duplicate_is_flagged_before_the_lead_is_saved(
    org: Org, live_server: Any, page: Any
) -> None:
    existing = LeadFactory(
        first_name="Jonathan", last_name="Smith", company="Acme Corp", owner=org.rep
    )
    login(page, live_server, org.rep.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leads").click()
    page.get_by_role("link", name="New lead").click()
    page.get_by_role("textbox", name="First name").fill("Jonathon")
    page.get_by_role("textbox", name="Last name").fill("Smyth")
    page.get_by_role("textbox", name="Company").fill("Acme Corp")
    page.get_by_role("textbox", name="Email").focus()  # leaving Company runs the check

    warning = page.locator("#duplicate-panel").get_by_role("status")
    warning.get_by_text("Possible duplicates").wait_for()
    warning.get_by_role("link", name="Jonathan Smith").wait_for()
    screenshot(page, "lead-create-duplicate-warning")
    assert Lead.objects.count() == 1

    # Saving still asks first; "Save anyway" keeps both.
    page.get_by_role("button", name="Save lead").click()
    page.get_by_role("button", name="Save anyway").wait_for()
    assert Lead.objects.count() == 1
    page.get_by_role("button", name="Save anyway").click()
    page.get_by_role("heading", name="Jonathon Smyth", level=1).wait_for()
    assert Lead.objects.exclude(pk=existing.pk).get().company == "Acme Corp"


def test_the_snippet_an_admin_copies_posts_leads_from_another_website(
    org: Org, live_server: Any, browser: Any, page: Any
) -> None:
    AssignmentRuleFactory(name="EMEA to Rep", position=1, region="EMEA", user=org.rep)
    AssignmentRuleFactory(name="Everyone else", position=2, user=org.teammate)
    webform = WebFormFactory(name="Website footer", created_by=org.admin)
    login(page, live_server, org.admin.email)
    page.goto(f"{live_server.url}/leads/manage/forms/{webform.pk}/")
    snippet = page.get_by_role("textbox", name="HTML").input_value()
    assert webform.public_key in snippet

    # The company's own site (any origin) carries the pasted form.
    website = _new_page(browser)
    website.set_content(f"<!doctype html><title>Acme</title><main>{snippet}</main>")
    website.get_by_role("textbox", name="Last name").fill("Okafor")
    website.get_by_role("textbox", name="Work email").fill("n.okafor@lagosfreight.example")
    website.get_by_role("textbox", name="Company").fill("Lagos Freight")
    website.get_by_role("combobox", name="Region").select_option("EMEA")
    website.get_by_role("button", name="Send").click()
    website.get_by_role("heading", name="Thank you!").wait_for()
    website.context.close()
    lead = Lead.objects.get(email="n.okafor@lagosfreight.example")
    assert (lead.owner, lead.region, lead.company) == (org.rep, "EMEA", "Lagos Freight")
