"""The deal list says how many deals match and what they are worth in the company currency."""

from decimal import Decimal

import pytest

from pipeline.models import Deal
from pipeline.selectors import deal_list_summary
from tests.conftest import Org, client_for
from tests.pipeline.factories import DealFactory, make_currency

pytestmark = pytest.mark.django_db


def test_the_summary_converts_each_deal_to_the_company_currency(org: Org) -> None:
    make_currency("EUR", "1.10")
    DealFactory(owner=org.rep, amount=Decimal("1000"), currency="USD")
    DealFactory(owner=org.rep, amount=Decimal("100"), currency="EUR")
    summary = deal_list_summary(Deal.objects.all())
    assert (summary.count, summary.more) == (2, False)
    assert summary.total == Decimal("1110.00")


def test_past_the_cap_the_summary_gives_an_estimate_and_no_total(org: Org) -> None:
    DealFactory.create_batch(4, owner=org.rep)
    summary = deal_list_summary(Deal.objects.all(), cap=3)
    # Past the cap: the planner's estimate, never below what was counted, and no total.
    assert summary.more
    assert summary.count >= 4
    assert summary.total is None


def test_the_deal_list_page_shows_only_the_visible_deals_count_and_total(org: Org) -> None:
    DealFactory(owner=org.rep, amount=Decimal("2500"))
    DealFactory(owner=org.stranger, amount=Decimal("9999"))
    page = client_for(org.rep).get("/deals/").content.decode()
    assert "1 deal match · Open: 1 (USD 2,500)" in page
    assert "9,999" not in page


def test_open_won_and_lost_deals_are_counted_and_totalled_apart(org: Org) -> None:
    from pipeline.models import StageKind
    from tests.pipeline.factories import make_pipeline, open_stages

    pipeline = make_pipeline()
    won = pipeline.stages.get(kind=StageKind.WON)
    DealFactory(owner=org.rep, stage=open_stages(pipeline)[0], amount=Decimal("100"))
    DealFactory(owner=org.rep, stage=won, amount=Decimal("250"))
    summary = deal_list_summary(Deal.objects.all())
    assert [(f.label, f.count, f.total) for f in summary.by_status] == [
        ("Open", 1, Decimal("100.00")),
        ("Won", 1, Decimal("250.00")),
    ]
    body = client_for(org.rep).get("/deals/").content.decode()
    assert "Open: 1 (USD 100)" in body
    assert "Won: 1 (USD 250)" in body


def test_a_filter_the_user_cant_use_is_dropped_and_the_others_still_apply(org: Org) -> None:
    DealFactory(owner=org.rep, amount=Decimal("100"), name="Alpha renewal")
    DealFactory(owner=org.rep, amount=Decimal("300"), name="Beta upsell")
    # A drill-down link from someone else's dashboard names an owner the rep can't choose.
    body = (
        client_for(org.rep)
        .get("/deals/", {"owner": org.stranger.pk, "q": "Alpha"})
        .content.decode()
    )
    assert "Alpha renewal" in body
    assert "Beta upsell" not in body
