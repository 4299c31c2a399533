"""Leads, deals and products through the same engine."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from crm.models import Account
from leads.models import Lead, LeadSource
from pipeline.models import Deal, DealLineItem, Product, StageKind
from tests.conftest import Org
from tests.crm.factories import AccountFactory
from tests.imports.conftest import assert_counts_add_up, import_file
from tests.leads.factories import AssignmentRuleFactory
from tests.pipeline.factories import ProductFactory, make_pipeline

pytestmark = pytest.mark.django_db

LEADS = (
    "First Name,Last Name,Email,Company,Lead Source,Owner\n"
    "Ana,Núñez,ana@example.com,Acme,Web,{owner}\n"
    "Bo,Li,BO@example.com,李氏,Partner,\n"
    "Bo,Li,bo@example.com,李氏,Partner,\n"
    "Cy,,not-an-email,Cy Co,Web,\n"
)


def test_leads_dedupe_on_email_in_the_file_and_across_runs(org: Org) -> None:
    LeadSource.objects.get_or_create(name="Web", defaults={"slug": "web-x"})
    LeadSource.objects.get_or_create(name="Partner", defaults={"slug": "partner-x"})
    content = LEADS.format(owner=org.teammate.email)
    options = {"on_unknown": {"source": "__create__"}}
    job = import_file(org.manager, "leads", content, options=options)
    assert_counts_add_up(job, 4)
    assert (job.imported, job.skipped, job.rejected) == (2, 1, 1)
    assert Lead.objects.get(email="ana@example.com").owner == org.teammate
    assert Lead.objects.get(email="bo@example.com").owner == org.manager
    again = import_file(org.manager, "leads", content, options=options)
    assert (again.imported, again.skipped) == (0, 3)
    assert Lead.objects.count() == 2


def test_only_admins_may_create_lead_sources_from_a_file(org: Org) -> None:
    content = "Email,Company,Source\nx@example.com,X,Brand new source\n"
    job = import_file(
        org.manager, "leads", content, options={"on_unknown": {"source": "__create__"}}
    )
    assert job.rejected == 1
    assert "not in the list" in job.rows.get().message
    job = import_file(org.admin, "leads", content, options={"on_unknown": {"source": "__create__"}})
    assert job.imported == 1
    assert Lead.objects.get().source == LeadSource.objects.get(name="Brand new source")


def test_a_rep_cannot_assign_imported_leads_to_someone_else(org: Org) -> None:
    job = import_file(
        org.rep, "leads", f"Email,Company,Owner\nz@example.com,Z,{org.stranger.email}\n"
    )
    assert job.rejected == 1
    assert "can't assign" in job.rows.get().message


def test_leads_without_an_owner_column_follow_the_assignment_rules(org: Org) -> None:
    AssignmentRuleFactory(country="Peru", action="user", user=org.teammate)
    job = import_file(
        org.manager, "leads", "Email,Company,Country\np@example.com,P,Peru\nq@example.com,Q,Chile\n"
    )
    assert job.imported == 2
    assert Lead.objects.get(email="p@example.com").owner == org.teammate


PIPELINE = (
    "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
    'OPP1,{agent},GTX Pro,Cancity,Won,2016-10-20,2017-03-01,"1,054"\n'
    "OPP2,{agent},GTX Pro,Cancity,Engaging,2016-10-25,,\n"
    "OPP3,{agent},MG Special,Isdom,Lost,2016-10-25,2017-03-07,0\n"
    "OPP4,{agent},Nope,Isdom,Engaging,2016-10-25,,\n"
    "OPP5,Nobody Known,GTX Pro,Isdom,Engaging,2016-10-25,,\n"
)


def test_an_opportunities_export_becomes_deals_with_the_right_totals(org: Org) -> None:
    pipeline = make_pipeline(open_stages=2)
    first_open = pipeline.stages.get(name="Step 1")
    ProductFactory(name="GTX Pro", list_price=Decimal("4821"))
    ProductFactory(name="MG Special", list_price=Decimal("55"))
    AccountFactory(owner=org.rep, name="Cancity")
    options = {
        "pipeline": str(pipeline.pk),
        "value_maps": {"stage": {"engaging": str(first_open.pk)}},
        "on_unknown": {"account": "__create__"},
    }
    content = PIPELINE.format(agent=org.rep.full_name)
    job = import_file(org.manager, "deals", content, options=options)
    assert_counts_add_up(job, 5)
    assert (job.imported, job.rejected) == (3, 2)
    messages = " ".join(job.rows.filter(outcome="rejected").values_list("message", flat=True))
    assert "Nope" in messages
    assert "Nobody Known" in messages
    won = Deal.objects.get(name="OPP1")
    assert (won.stage.kind, won.amount, won.owner) == (StageKind.WON, Decimal("1054.00"), org.rep)
    assert won.closed_at is not None
    assert won.account.name == "Cancity"
    open_deal = Deal.objects.get(name="OPP2")
    assert (open_deal.stage, open_deal.amount) == (first_open, Decimal("4821.00"))
    assert Account.objects.filter(name="Isdom").count() == 1
    assert Deal.objects.aggregate(total=Sum("amount"))["total"] == Decimal("5875.00")
    assert DealLineItem.objects.count() == 3
    again = import_file(org.manager, "deals", content, options=options)
    assert (again.imported, again.skipped) == (0, 3)
    assert Deal.objects.count() == 3


def test_products_import_and_dedupe_by_name(org: Org) -> None:
    content = 'product,series,sales_price\nGTX Basic,GTX,550\nGTX Pro,GTX,"4,821"\n'
    job = import_file(org.manager, "products", content)
    assert job.imported == 2
    assert Product.objects.get(name="GTX Pro").list_price == Decimal("4821")
    assert import_file(org.manager, "products", content).skipped == 2
    assert import_file(org.rep, "products", "product,sales_price\nX,1\n").rejected == 1
